"""Django's SMTP backend, with the envelope addresses that need no parsing not parsed.

Django parses each envelope address with the `email` package's header parser (about 50 µs)
to refuse injection and find the addr-spec. The outbox sends from one address, and to
addresses the sign-up form already validated, most of them plain ASCII: for 10,000 reminders
that parsing was a twentieth of the sender's time."""

import functools

from django.core.mail.backends import smtp

from .mime import PLAIN_ADDRESS


class EmailBackend(smtp.EmailBackend):
    def prep_address(self, address, force_ascii=True):
        if isinstance(address, str) and PLAIN_ADDRESS.fullmatch(address):
            return address
        return _prep_address(str(address), force_ascii)


@functools.lru_cache(maxsize=64)
def _prep_address(address: str, force_ascii: bool) -> str:
    # Mostly the sender ("Träffpunkt <traffpunkt@example.org>"), the same for every message.
    return smtp.EmailBackend.prep_address(None, address, force_ascii)
