import pytest
from django.core.management import call_command


@pytest.fixture
def small_city(db):
    """A seeded city small enough for unit tests (every status, loss reports, replacements, batches)."""
    call_command("seed_city", people=1500, verbosity=0)
