"""factory_boy factories with sensible defaults: an upcoming, published, open meeting."""

from datetime import timedelta

import factory
from django.utils import timezone

from accounts.models import hash_secret
from events.choices import EventStatus, Kind, Municipality
from events.models import Event, Theme
from registrations.choices import Source, Status
from registrations.models import Registration
from registrations.services import PersonDetails


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"tema-{n}")
    name = factory.Sequence(lambda n: f"Tema {n}")
    name_en = factory.Sequence(lambda n: f"Theme {n}")


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Tematräff {n}")
    kind = Kind.THEME_MEETING
    # Two weeks ahead at noon local time, whatever the hour the tests run: a meeting made in
    # the evening must not run past midnight, nor one made at night end before morning.
    starts_at = factory.LazyFunction(
        lambda: (timezone.localtime() + timedelta(days=14)).replace(hour=12, minute=0, second=0, microsecond=0)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    capacity = 40
    location = "Kulturhuset, Nyköping"
    municipality = Municipality.NYKOPING
    status = EventStatus.PUBLISHED

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)

    class Params:
        # A meeting that already took place (for walk-ins and records after the fact).
        past = factory.Trait(starts_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=2)))
        online = factory.Trait(location="", online_url="https://meet.example.org/secret-room")


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A confirmed registration; its manage token is kept on the instance as `raw_token`."""

    class Meta:
        model = Registration
        exclude = ("raw_token",)

    event = factory.SubFactory(EventFactory)
    status = Status.CONFIRMED
    name = factory.Sequence(lambda n: f"Person {n}")
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    organisation = "Exempel ekonomisk förening"
    municipality = Municipality.NYKOPING
    source = Source.ONLINE
    raw_token = factory.Sequence(lambda n: f"test-token-{n}")
    token_hash = factory.LazyAttribute(lambda o: hash_secret(o.raw_token))
    confirmed_at = factory.LazyAttribute(lambda o: timezone.now() if o.status == Status.CONFIRMED else None)


def person(email: str = "anna@example.org", **fields) -> PersonDetails:
    """Sign-up details for the services; only the e-mail usually matters to a test."""
    return PersonDetails(**{"name": "Anna Andersson", "email": email, "municipality": "Nyköping", **fields})


def signup_payload(event_ids, **fields) -> dict:
    """A valid body for POST /api/signups."""
    return {
        "name": "Anna Andersson",
        "email": "anna@example.org",
        "organisation": "Exempel ekonomisk förening",
        "organisation_type": "social_enterprise",
        "municipality": "Nyköping",
        "event_ids": list(event_ids),
        "consent": True,
        **fields,
    }


def signup_form_data(event_ids, **overrides) -> dict:
    """A valid POST body for the public sign-up form; an override of None leaves a field out."""
    body = {
        "event": [str(event_id) for event_id in event_ids],
        "name": "Anna Andersson",
        "email": "anna@example.org",
        "organisation": "Kaffekooperativet",
        "organisation_type": "social_enterprise",
        "municipality": "Nyköping",
        "gender": "woman",
        "language": "sv",
        "consent": "on",
        **overrides,
    }
    return {key: value for key, value in body.items() if value is not None}
