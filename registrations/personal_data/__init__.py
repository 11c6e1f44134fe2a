"""A person's own data: the signed link to it (tokens), what is held for an address and the
privacy notice (selectors), sending the link and deleting the data (services), the pages (views)."""
