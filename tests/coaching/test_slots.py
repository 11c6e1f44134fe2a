"""Slot times on Stockholm's wall clock: the same local hours on both sides of each
daylight-saving change, and none at a local time that does not exist."""

from datetime import UTC, date, datetime, time

from django.utils import timezone

from coaching.slots import days_before, local_moment, slot_starts


def _local(moments):
    return [timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") for moment in moments]


def test_slots_keep_their_local_hours_across_the_spring_change():
    # Clocks go forward on Sunday 28 March 2027 at 02:00.
    starts = list(
        slot_starts(
            starts_on=date(2027, 3, 26),
            ends_on=date(2027, 3, 29),
            weekdays=[5, 1],
            day_start=time(9, 0),
            day_end=time(11, 0),
            slot_minutes=45,
            gap_minutes=15,
        )
    )

    assert _local(starts) == ["2027-03-26 09:00", "2027-03-26 10:00", "2027-03-29 09:00", "2027-03-29 10:00"]
    assert starts[0] == datetime(2027, 3, 26, 8, 0, tzinfo=UTC)  # UTC+1
    assert starts[2] == datetime(2027, 3, 29, 7, 0, tzinfo=UTC)  # UTC+2


def test_slots_keep_their_local_hours_across_the_autumn_change():
    # Clocks go back on Sunday 31 October 2027 at 03:00.
    starts = list(
        slot_starts(
            starts_on=date(2027, 10, 29),
            ends_on=date(2027, 11, 1),
            weekdays=[5, 1],
            day_start=time(13, 30),
            day_end=time(14, 30),
            slot_minutes=60,
            gap_minutes=0,
        )
    )

    assert _local(starts) == ["2027-10-29 13:30", "2027-11-01 13:30"]
    assert starts[0] == datetime(2027, 10, 29, 11, 30, tzinfo=UTC)
    assert starts[1] == datetime(2027, 11, 1, 12, 30, tzinfo=UTC)


def test_a_local_time_that_does_not_exist_gets_no_slot():
    assert local_moment(date(2027, 3, 28), time(2, 30)) is None
    starts = list(
        slot_starts(
            starts_on=date(2027, 3, 28),
            ends_on=date(2027, 3, 28),
            weekdays=[7],
            day_start=time(1, 0),
            day_end=time(4, 0),
            slot_minutes=30,
            gap_minutes=0,
        )
    )

    assert _local(starts) == ["2027-03-28 01:00", "2027-03-28 01:30", "2027-03-28 03:00", "2027-03-28 03:30"]


def test_the_last_slot_ends_by_the_end_of_the_day_and_gaps_separate_slots():
    starts = list(
        slot_starts(
            starts_on=date(2027, 5, 3),
            ends_on=date(2027, 5, 3),
            weekdays=[1],
            day_start=time(9, 0),
            day_end=time(11, 50),
            slot_minutes=50,
            gap_minutes=10,
        )
    )

    assert _local(starts) == ["2027-05-03 09:00", "2027-05-03 10:00", "2027-05-03 11:00"]


def test_days_ahead_are_counted_on_the_wall_clock_across_a_change():
    slot = timezone.make_aware(datetime(2027, 4, 5, 10, 0))  # summer time

    opens = days_before(slot, 14)  # 22 March, winter time

    assert timezone.localtime(opens).strftime("%Y-%m-%d %H:%M") == "2027-03-22 10:00"
    # Aware datetimes of one zone subtract on the wall clock; in UTC they subtract real time.
    assert (slot.astimezone(UTC) - opens).total_seconds() == 14 * 24 * 3600 - 3600
