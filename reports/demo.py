"""A finished half-year of demo records, so that the progress report has something to show
after `make run`: the programme's settings, meetings held with attendance marked, coaching
sessions and one participant who found work. Idempotent (by the meetings' titles)."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from events.choices import Audience, Kind
from events.models import Event
from events.services import event_create
from registrations.services import PersonDetails, registration_add_by_organiser

from .models import Outcome, Participant, Programme
from .selectors import Period, half_year_containing
from .services import outcome_add, participant_create, programme_update

MUNICIPALITIES = ["Eskilstuna", "Nyköping", "Flen", "Katrineholm", "Strängnäs", "Trosa", "Vingåker"]
GENDERS = ["woman", "woman", "man", "unstated", "woman", "man", "other"]
ORGANISATION_TYPES = ["social_enterprise", "social_enterprise", "public_sector", "other"]

# (title, kind, themes, month index in the half-year, day, registered, attended)
MEETINGS_HELD = [
    ("Nätverksträff för sociala företag", Kind.NETWORK_MEETING, ["finansiering", "effektmatning"], 0, 8, 18, 15),
    ("Digital mötesplats: lära känna varandra", Kind.DIGITAL_MEETING_PLACE, [], 1, 20, 40, 32),
    ("Tematräff: Marknadsföring", Kind.THEME_MEETING, ["marknadsforing"], 3, 10, 12, 9),
    ("Digital mötesplats: upphandling som verktyg", Kind.DIGITAL_MEETING_PLACE, ["upphandling"], 5, 12, 38, 30),
]
COACHING_SESSIONS = 24
REGULARS = 5


def _person(number: int) -> PersonDetails:
    return PersonDetails(
        name=f"Demodeltagare {number}",
        email=f"demo{number}@example.org",
        organisation="Exempelföretaget",
        organisation_type=ORGANISATION_TYPES[number % len(ORGANISATION_TYPES)],
        municipality=MUNICIPALITIES[number % len(MUNICIPALITIES)],
        gender=GENDERS[number % len(GENDERS)],
    )


def _held(title: str, kind: str, themes: list[str], starts_at: datetime, capacity: int | None) -> Event:
    return event_create(
        theme_slugs=themes,
        title=title,
        kind=kind,
        audience=Audience.ALL,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        capacity=capacity,
        municipality="Eskilstuna",
        location="Retuna, Eskilstuna",
    )


def _month_start(period: Period, index: int) -> date:
    month = (period.start.month - 1 + index) % 12 + 1
    year = period.start.year + (period.start.month - 1 + index) // 12
    return date(year, month, 1)


def demo_half_year_create() -> Period | None:
    """Records of the last finished half-year; None when they are there already."""
    period = half_year_containing(half_year_containing(timezone.localdate()).start - timedelta(days=1))
    if Event.objects.filter(title=MEETINGS_HELD[0][0], starts_at__date__range=(period.start, period.end)).exists():
        return None
    if not Programme.objects.exists():
        programme_update(
            name="Nyttiga affärer 2.0",
            started_on=period.start - timedelta(days=183),
            planned_participants_women=10,
            planned_participants_men=10,
        )
    newcomer = 100
    for title, kind, themes, month, day, registered, attended in MEETINGS_HELD:
        starts_at = timezone.make_aware(datetime.combine(_month_start(period, month).replace(day=day), time(13)))
        event = _held(title, kind, themes, starts_at, capacity=registered)
        for index in range(registered):
            # Five regulars come to every meeting; everyone else comes once.
            newcomer += index >= REGULARS
            number = index + 1 if index < REGULARS else newcomer
            registration_add_by_organiser(event_id=event.id, person=_person(number), attended=index < attended)
    for session in range(COACHING_SESSIONS):
        day = _month_start(period, session % 6).replace(day=2 + session // 6)
        starts_at = timezone.make_aware(datetime.combine(day, time(10)))
        event = _held("Affärscoachning", Kind.COACHING, [], starts_at, capacity=1)
        registration_add_by_organiser(event_id=event.id, person=_person(session % 8 + 1), attended=True)
    if not Participant.objects.exists():
        participant = participant_create(name="Deltagare A", gender="woman", started_on=_month_start(period, 2))
        outcome_add(participant_id=participant.id, kind=Outcome.Kind.WORK, occurred_on=_month_start(period, 4))
    return period
