"""seed_city: a consistent city (valid ID numbers and credit codes, every status, each application's
history ending in its status, one open application per person and kind), and only into an empty database."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from accounts.models import Employer
from applications.models import OPEN_STATUSES, CardApplication, Person, Status, StatusEvent
from issuance.models import Card, CardChange, LossReport
from tests import oracles


def test_the_seeded_city_is_consistent(small_city):
    statuses = set(CardApplication.objects.values_list("status", flat=True))
    assert statuses == set(Status.values)
    for person in Person.objects.order_by("?")[:200]:  # judged by the standards' formulas, not the portal's
        assert oracles.is_valid_resident_id(person.id_number), person.id_number
        assert person.id_number[6:14] == f"{person.birth_date:%Y%m%d}"
    assert Person.objects.values("id_number_hash").distinct().count() == Person.objects.count()
    codes = Employer.objects.values_list("credit_code", flat=True)
    assert all(oracles.credit_code(code[:17]) == code for code in codes)
    last = {}
    for application_id, to_status in StatusEvent.objects.order_by("application_id", "created_at", "id").values_list(
        "application_id", "to_status"
    ):
        last[application_id] = to_status
    assert last == dict(CardApplication.objects.values_list("id", "status"))
    doubles = (
        CardApplication.objects.filter(status__in=OPEN_STATUSES)
        .values("person_id", "kind")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not doubles.exists()
    assert Card.objects.filter(status="active").count() > 0.6 * Card.objects.count()
    assert LossReport.objects.filter(kind="oral").exists() and CardChange.objects.exists()


def test_it_refuses_a_database_that_has_applications(small_city):
    with pytest.raises(CommandError, match="empty"):
        call_command("seed_city", people=200, verbosity=0)
