from datetime import date, time

import pytest

from coaching.models import CoachingKind
from coaching.services import coaching_kind_create, coaching_series_create

# The kinds the data migration makes, made again after a transactional test's flush has
# emptied every table (pytest-django runs those tests last, one after another).
KINDS = {"business": ("Affärscoachning", "Business coaching"), "life": ("Life-coachning", "Life coaching")}


def make_series(**overrides):
    fields = {
        "kind_code": "business",
        "coach_name": "Maria Lind",
        "municipality": "Nyköping",
        "location": "Stadsbiblioteket",
        "starts_on": date(2027, 3, 22),
        "ends_on": date(2027, 4, 2),
        "weekdays": [1, 3],
        "day_start": time(9, 0),
        "day_end": time(12, 0),
        "slot_minutes": 45,
        "gap_minutes": 15,
    }
    fields.update(overrides)
    code = fields["kind_code"]
    if code in KINDS and not CoachingKind.objects.filter(code=code).exists():
        coaching_kind_create(code=code, name=KINDS[code][0], name_en=KINDS[code][1])
    return coaching_series_create(**fields)


@pytest.fixture
def series_factory(db):
    return make_series
