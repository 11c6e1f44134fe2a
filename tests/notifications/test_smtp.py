"""The shortcuts for plain addresses (the SMTP envelope, the To header) give what the full
parsing gives."""

import pytest
from django.core.mail.backends import smtp as django_smtp
from hypothesis import given
from hypothesis import strategies as st

from notifications import mime
from notifications.mime import PLAIN_ADDRESS
from notifications.smtp import EmailBackend

ATOM = st.text(alphabet="abcXYZ019!#$%&'*+/=?^_`{|}~-", min_size=1, max_size=8)
LABEL = st.text(alphabet="abcXYZ019-", min_size=1, max_size=8)


def django_prep(address: str, force_ascii: bool = True) -> str:
    return django_smtp.EmailBackend.prep_address(None, address, force_ascii)


def backend() -> EmailBackend:
    # Built as mail.mailers builds a configured backend (by its alias), which Django 6.1 wants
    # instead of direct construction; nothing here opens a connection.
    return EmailBackend(alias="smtp-test", host="127.0.0.1", port=25, timeout=1)


@given(local=st.lists(ATOM, min_size=1, max_size=3), domain=st.lists(LABEL, min_size=2, max_size=4))
def test_a_plain_address_is_taken_as_it_is_and_django_agrees(local, domain):
    address = ".".join(local) + "@" + ".".join(domain)

    assert PLAIN_ADDRESS.fullmatch(address)
    assert backend().prep_address(address) == django_prep(address) == address


@pytest.mark.parametrize(
    "address",
    [
        "Träffpunkt <traffpunkt@example.org>",
        '"Kim, Ek" <kim@example.org>',
        "kim@exämple.org",
        "kim@EXAMPLE.org",
        "kim+tag@sub.example.org",
    ],
)
def test_other_addresses_go_through_djangos_parser(address):
    assert backend().prep_address(address) == django_prep(address)


@pytest.mark.parametrize(
    "address",
    [
        "kim@example.org\r\nBcc: all@example.org",
        "kim@example.org\nRCPT TO:<x@example.org>",
        "kim..ek@example.org",
        "kim@example.org, eve@example.org",
        "kö@example.org",
    ],
)
def test_what_django_refuses_is_refused(address):
    with pytest.raises(ValueError):
        django_prep(address)
    with pytest.raises(ValueError):
        backend().prep_address(address)


@given(local=st.lists(ATOM, min_size=1, max_size=3), domain=st.lists(LABEL, min_size=2, max_size=4))
def test_a_plain_address_in_a_header_is_what_encoding_it_would_give(local, domain):
    address = ".".join(local) + "@" + ".".join(domain)

    assert mime.address(address) == mime._encoded_address(address) == address
