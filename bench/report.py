"""The progress report's figures over 1,000,000 registrations, against hand-written SQL, on PostgreSQL.

25,500 meetings (25,000 held in the half-year before today, 500 in the one after; a tenth are
one-seat coaching sessions, two in three of them times of a business or life coaching series,
one in a hundred is cancelled, each has 0-2 of 20 themes) and
1,000,000 registrations by 200,000 people (e-mail in varying case, some blank), written with
INSERT ... SELECT. Times `reports.selectors.progress_figures` for the half-year against
hand-written SQL doing the same work in the same process: the same GROUP BYs and
COUNT(DISTINCT lower(email)) aggregates, one statement each, shaped into the same dict. Both
are warmed once, then run alternately; prints the medians and their ratio (target <= 1.5), and
fails when the two answers differ. Needs PostgreSQL: BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/traffpunkt_bench_report, recreated).
"""

import os
import statistics
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support import recreate_database  # noqa: E402

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/traffpunkt_bench_report")
SIZES = {"held": 25_000, "upcoming": 500, "registrations": 1_000_000, "people": 200_000, "days": 182}
ROUNDS = 5
TARGET = 1.5

os.environ.update(DJANGO_SETTINGS_MODULE="bench.settings", DATABASE_URL=DATABASE_URL)
os.environ.pop("REDIS_URL", None)

# Registration i is the (i // seats)-th at meeting (i % seats) and goes to person
# (meeting * 7919 + (i // seats) * 104729) mod 200,000: 104729 is prime to 200,000, so nobody
# registers twice for one meeting (one_active_registration_per_email). Coaching gets one each.
DATA = """
INSERT INTO events_theme (slug, name, name_en, description, is_active)
SELECT 'tema-' || t, 'Tema ' || t, '', '', true FROM generate_series(1, 20) t;

INSERT INTO events_event (title, description, kind, audience, starts_at, ends_at, capacity, location, online_url,
    municipality, reminder_minutes_before, feedback_survey, feedback_delay_minutes, status, sequence, created_at,
    updated_at)
SELECT 'Träff ' || n, '', (ARRAY['coaching', 'theme_meeting', 'theme_meeting', 'theme_meeting', 'theme_meeting',
    'digital_meeting_place', 'digital_meeting_place', 'network_meeting', 'supervisor_training', 'other'])[n %% 10 + 1],
    'all', s, s + interval '2 hours', CASE WHEN n %% 10 = 0 THEN 1 ELSE 40 END, 'Folkets hus',
    CASE WHEN n %% 3 = 0 THEN 'https://meet.example.org/' || n ELSE '' END, (%(municipalities)s::text[])[n %% 10 + 1],
    '[]', n %% 10 <> 0, 120, CASE WHEN n %% 100 = 99 THEN 'cancelled' ELSE 'published' END, 0, now(), now()
FROM generate_series(0, %(held)s + %(upcoming)s - 1) n,
    LATERAL (SELECT CASE WHEN n < %(held)s THEN %(first)s + n %% %(days)s * interval '1 day'
        ELSE %(next)s + n %% 150 * interval '1 day' END + (8 + n %% 10) * interval '1 hour' AS s) starts;

INSERT INTO events_event_themes (event_id, theme_id)
SELECT e.id, t.id FROM events_event e CROSS JOIN LATERAL generate_series(1, e.id %% 3) k
    JOIN events_theme t ON t.slug = 'tema-' || CASE WHEN k = 1 THEN 1 + e.id %% 20
        ELSE 1 + (e.id %% 20 + 1 + e.id / 20 %% 19) %% 20 END;

INSERT INTO coaching_coachingseries (coach_name, coach_presentation, kind_id, municipality, location, online_url,
    starts_on, ends_on, weekdays, day_start, day_end, slot_minutes, gap_minutes, notice_hours, horizon_days,
    per_person_limit, created_at)
SELECT 'Coach ' || code, '', id, 'Flen', 'Folkets hus', '', %(start)s::date, %(start)s::date + 364, '[1, 3]',
    '08:00', '18:00', 60, 0, 24, 42, 1, now()
FROM coaching_coachingkind WHERE code IN ('business', 'life');

UPDATE events_event e SET coaching_series_id = s.id
FROM coaching_coachingseries s JOIN coaching_coachingkind k ON k.id = s.kind_id
WHERE e.kind = 'coaching' AND e.id %% 3 <> 0 AND k.code = CASE WHEN e.id %% 3 = 1 THEN 'business' ELSE 'life' END;

CREATE TEMP TABLE seats AS
SELECT id, starts_at, row_number() OVER (ORDER BY id) - 1 AS n FROM events_event WHERE kind <> 'coaching';

INSERT INTO registrations_registration (event_id, status, name, email, organisation, organisation_type, municipality,
    gender, language, source, token_hash, attended, created_at, confirmed_at, cancelled_at)
SELECT event_id, status, 'Deltagare ' || p,
    CASE WHEN i %% 40 = 0 THEN '' WHEN i %% 10 = 0 THEN 'Person' || p || '@Example.org'
        ELSE 'person' || p || '@example.org' END,
    'Organisation ' || p %% 5000, (ARRAY['social_enterprise', 'public_sector', 'other'])[p %% 3 + 1],
    (%(municipalities)s::text[])[p %% 10 + 1],
    CASE WHEN p %% 100 < 47 THEN 'woman' WHEN p %% 100 < 90 THEN 'man' WHEN p %% 100 < 93 THEN 'other'
        ELSE 'unstated' END,
    'sv', CASE WHEN i %% 40 = 0 THEN 'organiser' ELSE 'online' END, md5(i::text) || md5((i + 1)::text),
    CASE WHEN starts_at > now() OR status = 'cancelled' THEN NULL
        WHEN status = 'waitlisted' THEN CASE WHEN h < 10 THEN true END
        WHEN h < 75 THEN true WHEN h < 90 THEN false END,
    now(), CASE WHEN status = 'confirmed' THEN now() END, CASE WHEN status = 'cancelled' THEN now() END
FROM (
    SELECT seats.id AS event_id, starts_at, i, (n * 7919 + i / (SELECT count(*) FROM seats) * 104729) %% %(people)s AS p
    FROM generate_series(0, %(registrations)s - (SELECT count(*) FROM events_event WHERE kind = 'coaching') - 1) i
    JOIN seats ON n = i %% (SELECT count(*) FROM seats)
    UNION ALL
    SELECT id, starts_at, %(registrations)s + id, id * 7919 %% %(people)s FROM events_event WHERE kind = 'coaching'
) slots,
    LATERAL (SELECT abs(hashint8(i)::bigint) %% 100 AS s, abs(hashtext(i::text)::bigint) %% 100 AS h) drawn,
    LATERAL (SELECT CASE WHEN s < 85 THEN 'confirmed' WHEN s < 92 THEN 'waitlisted' ELSE 'cancelled' END) st (status);

INSERT INTO reports_programme (id, name, funder, funder_short, started_on, planned_participants_women,
    planned_participants_men, planned_activities)
VALUES (1, 'Träffpunkt', 'Samordningsförbundet RAR', 'RAR', %(start)s::date - 100, 60, 40, '');

INSERT INTO reports_participant (name, gender, municipality, started_on, note, created_at)
SELECT 'Deltagare ' || p, (ARRAY['woman', 'man', 'other'])[p %% 3 + 1], 'Flen', %(start)s::date + p %% 300 - 100, '',
    now()
FROM generate_series(1, 300) p;

INSERT INTO reports_outcome (participant_id, kind, occurred_on, note)
SELECT id, (ARRAY['work', 'studies', 'work_training', 'other'])[id %% 4 + 1], %(start)s::date + (id %% 200)::int, ''
FROM reports_participant;

ANALYZE
"""

IN_PERIOD = (
    "e.status = 'published' AND e.starts_at >= %(from)s AND e.starts_at < %(to)s AND e.starts_at <= %(until)s"
    # A coaching time nobody holds a booking for is not a meeting held.
    " AND (e.coaching_series_id IS NULL OR EXISTS (SELECT 1 FROM registrations_registration b"
    " WHERE b.event_id = e.id AND b.status IN ('confirmed', 'waitlisted')))"
)
PER_MEETING = f"""
SELECT e.id, e.title, e.kind, e.starts_at, e.municipality, e.online_url <> '',
    count(r.id) FILTER (WHERE r.status <> 'cancelled' AND (r.status = 'confirmed' OR r.attended)),
    count(r.id) FILTER (WHERE r.status <> 'cancelled' AND r.attended),
    count(r.id) FILTER (WHERE r.status <> 'cancelled' AND NOT r.attended)
FROM events_event e LEFT JOIN registrations_registration r ON r.event_id = e.id
WHERE {IN_PERIOD} GROUP BY e.id ORDER BY e.starts_at, e.id
"""
THEMES = f"""
SELECT et.event_id, array_agg(t.name ORDER BY t.id)
FROM events_event e JOIN events_event_themes et ON et.event_id = e.id JOIN events_theme t ON t.id = et.theme_id
WHERE {IN_PERIOD} GROUP BY et.event_id
"""
# A person is their e-mail in any case; each registration without one is someone else.
PEOPLE = f"""
SELECT {{columns}} count(DISTINCT lower(r.email)) FILTER (WHERE r.email <> '') + count(*) FILTER (WHERE r.email = '')
FROM registrations_registration r JOIN events_event e ON e.id = r.event_id {{join}}
WHERE {IN_PERIOD} AND r.status <> 'cancelled' AND r.attended
"""
THEME_JOIN = "JOIN events_event_themes et ON et.event_id = e.id JOIN events_theme t ON t.id = et.theme_id"
# Sessions held (attended) by the kind of the slot's series; meetings without one under "".
COACHING = f"""
SELECT coalesce(k.code, ''), coalesce(k.name, %(unspecified)s), count(*)
FROM registrations_registration r JOIN events_event e ON e.id = r.event_id
    LEFT JOIN coaching_coachingseries s ON s.id = e.coaching_series_id
    LEFT JOIN coaching_coachingkind k ON k.id = s.kind_id
WHERE {IN_PERIOD} AND e.kind = 'coaching' AND r.status <> 'cancelled' AND r.attended
GROUP BY k.code, k.name
"""
MEETING_KEYS = ("id", "title", "kind", "starts_at", "municipality", "online", "registered", "attended", "no_shows")


def meetings(cursor, bounds: dict) -> list[dict]:
    from django.utils import timezone

    cursor.execute(PER_MEETING, bounds)
    rows = [dict(zip(MEETING_KEYS, row, strict=True)) for row in cursor.fetchall()]
    cursor.execute(THEMES, bounds)
    themes = dict(cursor.fetchall())
    for row in rows:
        row.update(starts_at=timezone.localtime(row["starts_at"]).isoformat(), themes=themes.get(row["id"], []))
    return rows


def people_by(cursor, bounds: dict, columns: str, join: str = "") -> list[tuple]:
    cursor.execute(PEOPLE.format(columns=f"{columns},", join=join) + f"GROUP BY {columns} ORDER BY {columns}", bounds)
    return cursor.fetchall()


def baseline(period) -> dict:
    """progress_figures(period), from hand-written SQL."""
    from django.db import connection
    from django.utils import timezone

    from events.selectors import local_day_start
    from reports.coaching_figures import UNSPECIFIED_NAME

    def bounds(p, until):
        return {"from": local_day_start(p.start), "to": local_day_start(p.end + timedelta(days=1)), "until": until}

    held = bounds(period, timezone.now())
    with connection.cursor() as cursor:
        events = meetings(cursor, held)
        cursor.execute(PEOPLE.format(columns="", join=""), held)
        figures = {
            "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
            "events_held": len(events),
            "events_held_by_kind": dict(Counter(event["kind"] for event in events)),
            **{key: sum(event[key] for event in events) for key in ("registered", "attended", "no_shows")},
            "unique_attendees": cursor.fetchone()[0],
            **{
                f"attendees_by_{key}": dict(people_by(cursor, held, column))
                for key, column in [("gender", "r.gender"), ("municipality", "r.municipality")]
                + [("organisation_type", "r.organisation_type"), ("kind", "e.kind")]
            },
            "attendees_by_theme": {
                slug: {"name": name, "attendees": people}
                for name, slug, people in people_by(cursor, held, "t.name, t.slug", THEME_JOIN)
            },
            "events": events,
            "scheduled_next": meetings(cursor, bounds(period.following(), datetime(9999, 1, 1, tzinfo=UTC))),
        }
        figures["coaching_sessions"] = figures["events_held_by_kind"].get("coaching", 0)
        cursor.execute(COACHING, {**held, "unspecified": UNSPECIFIED_NAME})
        by_kind = {code: {"name": name, "sessions": sessions} for code, name, sessions in cursor.fetchall()}
        figures["coaching"] = {
            "sessions": sum(row["sessions"] for row in by_kind.values()),
            "people": figures["attendees_by_kind"].get("coaching", 0),
            "by_kind": by_kind,
        }
        months = {}
        for event in events:
            month = months.setdefault(event["starts_at"][:7], Counter())
            month.update(events_held=1, registered=event["registered"], attended=event["attended"])
        figures["months"] = [{"month": key, **month} for key, month in months.items()]

        cursor.execute("SELECT started_on, planned_participants_women, planned_participants_men FROM reports_programme")
        since, women, men = cursor.fetchone() or (None, 0, 0)
        cursor.execute(
            "SELECT count(*) FILTER (WHERE gender = 'woman'), count(*) FILTER (WHERE gender = 'man'), count(*)"
            " FROM reports_participant WHERE started_on <= %s AND (%s::date IS NULL OR started_on >= %s)",
            [period.end, since, since],
        )
        actual = dict(zip(("women", "men", "total"), cursor.fetchone(), strict=True))
        figures["participants"] = {
            "since": since.isoformat() if since else None,
            "planned": {"women": women, "men": men},
            "actual": {**actual, "other": actual["total"] - actual["women"] - actual["men"]},
        }
        cursor.execute(
            "SELECT kind, count(DISTINCT participant_id) FROM reports_outcome"
            " WHERE occurred_on BETWEEN %s AND %s GROUP BY kind ORDER BY kind",
            [period.start, period.end],
        )
        figures["outcomes"] = dict(cursor.fetchall())
    return figures


def main() -> int:
    recreate_database(DATABASE_URL)
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from events.choices import Municipality
    from events.selectors import local_day_start
    from reports.selectors import Period, progress_figures

    today = timezone.localdate()
    period = Period(today - timedelta(days=SIZES["days"]), today - timedelta(days=1))
    started = time.perf_counter()
    with connection.cursor() as cursor:
        params = {**SIZES, "municipalities": Municipality.values, "first": local_day_start(period.start)}
        params["start"] = period.start
        params["next"] = local_day_start(today + timedelta(days=1))
        for statement in DATA.split(";\n"):
            cursor.execute(statement, params)
    load_seconds = time.perf_counter() - started

    orm, sql = progress_figures(period), baseline(period)  # also warms both
    # The keys the baseline computes, each compared; the survey's (feedback, quotable_comments)
    # are not among them: the data has no answers, and their queries are the feedback app's.
    differing = [key for key in sql if orm.get(key) != sql[key]]
    timings = {progress_figures: [], baseline: []}
    for _ in range(ROUNDS):
        for run, seconds in timings.items():
            started = time.perf_counter()
            run(period)
            seconds.append(time.perf_counter() - started)
    orm_seconds, sql_seconds = (statistics.median(seconds) for seconds in timings.values())
    ratio = orm_seconds / sql_seconds

    print(f"report: progress_figures over {SIZES['registrations']:,} registrations on PostgreSQL")
    print(f"  data written and analysed in {load_seconds:.1f} s; medians of {ROUNDS} alternating runs")
    print(f"  progress_figures  {orm_seconds * 1000:6.0f} ms")
    print(f"  hand-written SQL  {sql_seconds * 1000:6.0f} ms")
    print(f"  ratio {ratio:.2f} (target <= {TARGET}): {'met' if ratio <= TARGET else 'NOT met'}")
    print(
        f"  {orm['events_held']:,} meetings held, registered {orm['registered']:,}, attended {orm['attended']:,},"
        f" no-shows {orm['no_shows']:,}, unique attendees {orm['unique_attendees']:,}"
    )
    print(f"  correctness: {'FAILED, the answers differ in: ' + ', '.join(sorted(differing)) if differing else 'OK'}")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
