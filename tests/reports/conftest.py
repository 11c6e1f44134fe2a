"""A half-year like the seed's (1 Dec 2020 – 31 May 2021), built from records.

- December: a network meeting on financing and impact measurement; 18 registered, 15 came,
  3 no-shows, 1 cancelled.
- January and May: two digital meeting places with about 40 registered each; in May one
  person from the waiting list came anyway, another on the list did not.
- 50 coaching sessions for 10 people, December to May.
- A cancelled meeting in March, a draft in April, a meeting in November 2020 and one in
  September 2021 (the next period): none of them counts as held in the half-year.
- One participant, a woman, who went from unemployment to work in April.

Person p1 came to three meetings (once as P1@EXAMPLE.ORG) and counts once.
"""

import shutil
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from events.choices import EventStatus, Kind, Municipality
from registrations.choices import Gender, Status
from reports.models import Outcome, Participant, Programme
from reports.selectors import Period
from tests.factories import EventFactory, RegistrationFactory, ThemeFactory

SEED_PERIOD = Period(date(2020, 12, 1), date(2021, 5, 31))


def poppler(tool: str) -> str:
    """The path of pdftotext or pdftoppm; the test skips, saying why, without them."""
    path = shutil.which(tool)
    if path is None:
        pytest.skip(
            f"{tool} (poppler-utils) is not installed: the PDF cannot be read back; apt-get install poppler-utils"
        )
    return path


def local(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


def meeting(starts: datetime, kind: str = Kind.THEME_MEETING, **fields):
    return EventFactory(starts_at=starts, ends_at=starts + timedelta(hours=2), kind=kind, **fields)


def attend(event, emails, *, attended=True, **fields):
    for email in emails:
        RegistrationFactory(event=event, email=email, attended=attended, **fields)


def emails(prefix: str, numbers) -> list[str]:
    return [f"{prefix}{n}@example.org" for n in numbers]


@pytest.fixture
def seed_half_year(db):
    finansiering = ThemeFactory(slug="finansiering", name="Finansiering")
    effektmatning = ThemeFactory(slug="effektmatning", name="Effektmätning")
    upphandling = ThemeFactory(slug="upphandling", name="Upphandling")
    woman = {"gender": Gender.WOMAN, "municipality": Municipality.NYKOPING}
    man = {"gender": Gender.MAN, "municipality": Municipality.ESKILSTUNA}
    unstated = {"gender": Gender.UNSTATED, "municipality": Municipality.NYKOPING}

    network = meeting(
        local(2020, 12, 8, 13), Kind.NETWORK_MEETING, title="Nätverksträff", themes=[finansiering, effektmatning]
    )
    attend(network, emails("p", range(1, 16)), **woman)
    attend(network, emails("p", range(16, 19)), attended=False, **woman)
    attend(network, emails("p", [19]), attended=None, status=Status.CANCELLED, **woman)

    january = meeting(
        local(2021, 1, 20, 9),
        Kind.DIGITAL_MEETING_PLACE,
        title="Digital mötesplats för socialt företagande i Sörmland",
        online_url="https://meet.example.org/jan",
    )
    attend(january, emails("p", range(1, 6)), **woman)
    attend(january, emails("q", range(1, 28)), **man)
    attend(january, emails("q", range(28, 36)), attended=False, **man)

    may = meeting(
        local(2021, 5, 12, 9), Kind.DIGITAL_MEETING_PLACE, title="Upphandling som verktyg", themes=[upphandling]
    )
    attend(may, ["P1@EXAMPLE.ORG"], **woman)
    attend(may, emails("q", range(1, 10)), **man)
    attend(may, emails("r", range(1, 21)), **unstated)
    attend(may, emails("r", range(21, 31)), attended=False, **unstated)
    attend(may, emails("w", [1]), status=Status.WAITLISTED, gender=Gender.OTHER, municipality=Municipality.NYKOPING)
    attend(may, emails("w", [2]), attended=None, status=Status.WAITLISTED, **unstated)

    # 50 coaching sessions: months December..May get 9, 9, 8, 8, 8, 8.
    coaching_months = [(2020, 12), (2021, 1), (2021, 2), (2021, 3), (2021, 4), (2021, 5)]
    for session in range(50):
        year, month = coaching_months[session % 6]
        coached = f"c{session % 10 + 1}@example.org"
        gender = Gender.WOMAN if session % 10 < 6 else Gender.MAN
        event = meeting(local(year, month, 2 + session // 6, 10), Kind.COACHING, title="Affärscoachning", capacity=1)
        attend(event, [coached], gender=gender, municipality=Municipality.TROSA)

    cancelled = meeting(local(2021, 3, 10, 13), status=EventStatus.CANCELLED, themes=[finansiering])
    attend(cancelled, emails("x", range(1, 11)), **woman)
    draft = meeting(local(2021, 4, 14, 13), status=EventStatus.DRAFT)
    attend(draft, emails("y", range(1, 4)), **woman)
    november = meeting(local(2020, 11, 30, 13), Kind.NETWORK_MEETING)
    attend(november, emails("z", range(1, 6)), **woman)
    meeting(
        local(2021, 9, 14, 13),
        Kind.THEME_MEETING,
        title="Finansiering i praktiken",
        themes=[finansiering],
        municipality=Municipality.NYKOPING,
    )

    Programme.objects.create(
        pk=1,
        name="Nyttiga affärer 2.0",
        started_on=date(2020, 6, 1),
        planned_participants_women=10,
        planned_participants_men=10,
    )
    participant = Participant.objects.create(name="Deltagare Ett", gender=Gender.WOMAN, started_on=date(2021, 2, 1))
    Outcome.objects.create(participant=participant, kind=Outcome.Kind.WORK, occurred_on=date(2021, 4, 15))
    return {"network": network, "january": january, "may": may}
