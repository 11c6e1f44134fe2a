"""Demo data for trying Träffpunkt: themes, a term of meetings in Sörmland, an organiser,
and the last half-year's attendance for the progress report (reports/demo.py).

Idempotent: themes and meetings are found by their code and title, so running it again
adds nothing. Dates are set when a meeting is first created, from the coming Monday on.
"""

from datetime import date, datetime, time, timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts.services import organiser_create
from coaching.models import CoachingSeries
from coaching.services import coaching_series_create
from events.choices import Audience, Kind
from events.models import Event, Theme
from events.services import event_create
from registrations.services import PersonDetails, signup_create
from reports.demo import demo_half_year_create

THEMES = [
    ("finansiering", "Finansiering", "Funding", "Bidrag, lån, investerare och hur man söker dem."),
    ("effektmatning", "Effektmätning", "Impact measurement", "Att mäta och visa sin samhällsnytta."),
    ("upphandling", "Upphandling", "Public procurement", "Affärer med offentlig sektor, reserverade kontrakt."),
    ("iop", "IOP", "Public-civic partnership (IOP)", "Idéburet offentligt partnerskap."),
    ("marknadsforing", "Marknadsföring", "Marketing", "Att nå kunder och berätta om sin verksamhet."),
]

# (title, kind, themes, week, weekday, start, hours, capacity, municipality, place, online)
MEETINGS = [
    (
        "Tematräff: Finansiering för sociala företag",
        Kind.THEME_MEETING,
        ["finansiering"],
        1,
        1,
        time(13),
        3,
        20,
        "Eskilstuna",
        "Retuna Återbruksgalleria, Eskilstuna",
        False,
    ),
    (
        "Tematräff: Effektmätning – visa er samhällsnytta",
        Kind.THEME_MEETING,
        ["effektmatning"],
        2,
        2,
        time(9),
        3,
        20,
        "Nyköping",
        "Nyköpings bibliotek, Stora salen",
        False,
    ),
    (
        "Digital mötesplats för socialt företagande i Sörmland",
        Kind.DIGITAL_MEETING_PLACE,
        ["upphandling"],
        3,
        3,
        time(9, 30),
        2,
        60,
        "",
        "",
        True,
    ),
    (
        "Tematräff: Upphandling som verktyg",
        Kind.THEME_MEETING,
        ["upphandling"],
        4,
        1,
        time(13),
        3,
        20,
        "Strängnäs",
        "Strängnäs kommunhus",
        False,
    ),
    (
        "Nätverksträff för sociala företag",
        Kind.NETWORK_MEETING,
        ["finansiering", "effektmatning"],
        5,
        3,
        time(17),
        3,
        25,
        "Nyköping",
        "Coompanion Sörmland, Nyköping",
        False,
    ),
    (
        "Tematräff: IOP – idéburet offentligt partnerskap",
        Kind.THEME_MEETING,
        ["iop"],
        6,
        2,
        time(9),
        3,
        20,
        "Katrineholm",
        "Katrineholms kulturhus Ebeneser",
        False,
    ),
    (
        "Handledarutbildning för arbetsträningsplatser",
        Kind.SUPERVISOR_TRAINING,
        [],
        7,
        4,
        time(9),
        6,
        12,
        "Vingåker",
        "Vingåkers bibliotek",
        False,
    ),
    (
        "Tematräff: Marknadsföring på liten budget",
        Kind.THEME_MEETING,
        ["marknadsforing"],
        8,
        1,
        time(13),
        3,
        20,
        "Flen",
        "Flens kommunhus",
        False,
    ),
    (
        "Digital mötesplats: offentlig sektor möter sociala företag",
        Kind.DIGITAL_MEETING_PLACE,
        ["iop", "upphandling"],
        9,
        3,
        time(9, 30),
        2,
        60,
        "",
        "",
        True,
    ),
]

# Coaching is booked as times with a coach: (kind, coach, presentation, weekdays, from, to, minutes,
# municipality, place, online)
COACHING_SERIES = [
    (
        "business",
        "Lena Sandberg",
        "Lena har drivit socialt företag i tio år och coachar i affärsplan, prissättning och finansiering.",
        [2, 4],
        time(9),
        time(12),
        45,
        "Trosa",
        "Trosa Företagarcentrum",
        False,
    ),
    (
        "life",
        "Johan Ek",
        "Johan är diplomerad coach och hjälper dig hitta riktning, energi och balans i vardagen.",
        [3],
        time(13),
        time(16),
        50,
        "",
        "",
        True,
    ),
]

DEMO_PEOPLE = [
    ("Amina Hassan", "amina@example.org", "Återbruket Ekonomisk förening", "social_enterprise", "Eskilstuna", "woman"),
    ("Erik Lindqvist", "erik@example.org", "Nyköpings kommun", "public_sector", "Nyköping", "man"),
    ("Maja Öberg", "maja@example.org", "Gröna Händer AB", "social_enterprise", "Flen", "woman"),
]


def _next_monday(today: date) -> date:
    return today + timedelta(days=7 - today.weekday())


def _outside_holidays(day: date) -> date:
    # Nobody meets between Christmas and Epiphany; such a date moves three weeks on.
    if (day.month, day.day) >= (12, 20) or (day.month, day.day) <= (1, 6):
        return day + timedelta(weeks=3)
    return day


class Command(BaseCommand):
    help = "Loads demo themes, meetings, sign-ups and an organiser (idempotent)."

    def handle(self, *args, **options):
        for slug, name, name_en, description in THEMES:
            Theme.objects.get_or_create(
                slug=slug, defaults={"name": name, "name_en": name_en, "description": description}
            )

        monday = _next_monday(timezone.localdate())
        created = 0
        for title, kind, themes, week, weekday, start, hours, capacity, municipality, place, online in MEETINGS:
            if Event.objects.filter(title=title).exists():
                continue
            day = _outside_holidays(monday + timedelta(weeks=week - 1, days=weekday))
            starts_at = timezone.make_aware(datetime.combine(day, start))
            event_create(
                theme_slugs=themes,
                title=title,
                kind=kind,
                audience=Audience.ALL,
                description="<p>Välkommen! Ta gärna med frågor från din egen verksamhet.</p>",
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=hours),
                capacity=capacity,
                municipality=municipality,
                location=place,
                online_url=f"https://meet.example.org/traffpunkt-{week}-{weekday}" if online else "",
            )
            created += 1

        if created:
            self._demo_signups()
        self._demo_coaching(monday)
        held = demo_half_year_create()
        user = organiser_create(username="arrangor", email="arrangor@example.org")
        if not user.has_usable_password():
            user.set_password("traffpunkt")
            user.save(update_fields=["password"])
        self.stdout.write(
            f"Demo data ready: {Theme.objects.count()} themes, "
            f"{Event.objects.filter(coaching_series__isnull=True).count()} meetings ({created} new), "
            f"{Event.objects.filter(coaching_series__isnull=False).count()} coaching times"
            + (f", a half-year of attendance {held.label} for the progress report" if held else "")
            + ". Organiser login: arrangor / traffpunkt (demo only)."
        )

    def _demo_coaching(self, monday: date) -> None:
        for kind, coach, presentation, weekdays, start, end, minutes, municipality, place, online in COACHING_SERIES:
            if CoachingSeries.objects.filter(coach_name=coach).exists():
                continue
            coaching_series_create(
                kind_code=kind,
                coach_name=coach,
                coach_presentation=presentation,
                municipality=municipality,
                location=place,
                online_url=f"https://meet.example.org/coachning-{kind}" if online else "",
                starts_on=monday,
                ends_on=monday + timedelta(weeks=6),
                weekdays=weekdays,
                day_start=start,
                day_end=end,
                slot_minutes=minutes,
                gap_minutes=60 - minutes,
            )

    def _demo_signups(self) -> None:
        digital = Event.objects.filter(kind=Kind.DIGITAL_MEETING_PLACE).order_by("starts_at").first()
        theme_meeting = Event.objects.filter(kind=Kind.THEME_MEETING).order_by("starts_at").first()
        for name, email, organisation, organisation_type, municipality, gender in DEMO_PEOPLE:
            person = PersonDetails(
                name=name,
                email=email,
                organisation=organisation,
                organisation_type=organisation_type,
                municipality=municipality,
                gender=gender,
            )
            signup_create(person=person, event_ids=[digital.id, theme_meeting.id], theme_slugs=["iop"])
