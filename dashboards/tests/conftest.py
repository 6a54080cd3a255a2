import datetime
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command

# The seeded city is relative to now, and what is caught in flight (a registry check lasts hours of
# working time, an oral loss report days) depends on the moment: a city seeded at another hour missed a
# status. The tests seed and run at one fixed moment, a Thursday morning, where every status is present.
SEEDED_AT = datetime.datetime(2026, 11, 26, 9, 15, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def small_city(db):
    """A seeded city small enough for unit tests (every status, loss reports, replacements, batches)."""
    with time_machine.travel(SEEDED_AT, tick=True):
        call_command("seed_city", people=1500, verbosity=0)
        yield
