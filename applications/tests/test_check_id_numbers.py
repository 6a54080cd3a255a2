"""`manage.py check_id_numbers`: a city that ran the earlier, wrong check has stored numbers that fail GB 11643;
the command lists each one (masked) with the check character that fits, and changes nothing."""

import datetime
import io

import pytest
from django.core.management import call_command

from applications.models import Person
from issuance.models import Appointment, NamedProxy
from tests import factories, oracles

pytestmark = pytest.mark.django_db
# What the earlier code stored for the standard's example typed as 15 digits: the check computed over 16 digits.
WRONGLY_UPGRADED = "110105194912310022"


def test_lists_every_stored_number_that_fails_the_check_and_changes_nothing(station, bob_clerk):
    good = factories.make_citizen("林好")
    bad = factories.make_citizen("林错")
    Person.objects.filter(pk=bad.person.pk).update(id_number=WRONGLY_UPGRADED)  # as the old code stored it
    application = factories.make_application(good, station)
    body = "33010619880312101"
    wrong_proxy = body + next(c for c in "0123456789X" if c != oracles.gb11643_check(body))
    NamedProxy.objects.create(application=application, name="代领人", id_number=wrong_proxy)
    Appointment.objects.create(
        station=station,
        date=datetime.date(2026, 12, 3),
        name="预约人",
        id_number="330106198513301234",  # a 13th month
        phone="13912345678",
        booked_by=bob_clerk,
    )
    out = io.StringIO()

    call_command("check_id_numbers", chunk=2, stdout=out, stderr=io.StringIO())

    report = out.getvalue()
    assert f"applications.Person id={bad.person.pk} id_number 110105********0022" in report
    assert "…002X" in report  # the check character that fits the 17 digits, per the standard
    assert "applications.Person: 2 numbers checked, 1 fail the check" in report
    assert "issuance.NamedProxy" in report and "…" + body[14:] + oracles.gb11643_check(body) in report
    assert "issuance.Appointment" in report and "19851330" in report  # the birth date named
    assert "in all: 3 stored ID numbers fail the GB 11643 check" in report
    assert WRONGLY_UPGRADED not in report and good.person.id_number not in report  # masked
    assert Person.objects.get(pk=bad.person.pk).id_number == WRONGLY_UPGRADED  # nothing corrected by itself
