"""Manage tokens: random, stored only as a hash, each finding its own registration."""

import hashlib

import pytest
from django.forms.models import model_to_dict

from registrations.models import Registration
from registrations.selectors import registration_get_by_token
from registrations.services import registration_add_by_organiser, signup_create
from tests.factories import EventFactory, person

pytestmark = pytest.mark.django_db


def test_token_is_256_bits_and_only_its_hash_is_stored():
    event = EventFactory()

    [outcome] = signup_create(person=person(), event_ids=[event.id])

    token = outcome.manage_token
    # token_urlsafe(32): 32 random bytes as 43 URL-safe base64 characters.
    assert len(token) == 43
    row = Registration.objects.filter(pk=outcome.registration.pk).values().get()
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert not any(token in str(value) for value in row.values())
    assert token not in str(model_to_dict(Registration.objects.get(pk=outcome.registration.pk)))


def test_tokens_differ_between_registrations():
    events = EventFactory.create_batch(20)
    outcomes = signup_create(person=person(), event_ids=[e.id for e in events])

    assert len({o.manage_token for o in outcomes}) == 20


def test_each_token_finds_only_its_own_registration():
    event_a, event_b = EventFactory(), EventFactory()
    [a] = signup_create(person=person("a@example.org"), event_ids=[event_a.id])
    [b] = signup_create(person=person("b@example.org"), event_ids=[event_b.id])
    _walk_in, walk_in_token = registration_add_by_organiser(event_id=event_a.id, person=person(""))

    assert registration_get_by_token(a.manage_token).pk == a.registration.pk
    assert registration_get_by_token(b.manage_token).pk == b.registration.pk
    assert registration_get_by_token(walk_in_token).pk == _walk_in.pk


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"), id="last-char"),
        pytest.param(lambda t: t[:-1], id="truncated"),
        pytest.param(lambda t: t + "x", id="extended"),
        pytest.param(lambda t: t.upper(), id="case"),
        pytest.param(lambda t: hashlib.sha256(t.encode()).hexdigest(), id="the-stored-hash"),
        pytest.param(lambda t: "", id="empty"),
        pytest.param(lambda t: t * 10, id="very-long"),
    ],
)
def test_tampered_token_finds_nothing(tamper):
    event = EventFactory()
    [outcome] = signup_create(person=person(), event_ids=[event.id])

    assert registration_get_by_token(tamper(outcome.manage_token)) is None
