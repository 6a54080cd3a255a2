"""The dashboards' query parameters, checked in one place for pages, the API and exports (all 400s here).

Bounded so that no request can ask for a full scan: a page size of at most 100, at most 1,000 pages deep,
a date range of at most two years inside the summarised period, statuses and age buckets from the lists.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from applications.models import Status
from sbcard.api import MAX_PAGE_SIZE

from .queries import AGE_BUCKET_KEYS

MAX_RANGE_DAYS = 731
MAX_PAGE = 1000
EARLIEST = datetime.date(2000, 1, 1)


class DashboardQuery(serializers.Serializer):
    station = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, help_text="A service station's id (admins; a clerk's own)."
    )
    date_from = serializers.DateField(required=False, help_text="First day (YYYY-MM-DD) of the throughput range.")
    date_to = serializers.DateField(
        required=False, help_text="Last day (YYYY-MM-DD); at most two years after date_from."
    )
    page = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE, default=1)
    page_size = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PAGE_SIZE,
        default=50,
        error_messages={
            "max_value": _("The page size must be a whole number from 1 to %(max)d.") % {"max": MAX_PAGE_SIZE},
            "min_value": _("The page size must be a whole number from 1 to %(max)d.") % {"max": MAX_PAGE_SIZE},
        },
    )

    def validate(self, data):
        today = timezone.localdate()
        date_to = data.get("date_to") or today
        date_from = data.get("date_from") or date_to - datetime.timedelta(days=89)
        for name, value in (("date_from", date_from), ("date_to", date_to)):
            if value < EARLIEST or value > today + datetime.timedelta(days=1):
                raise serializers.ValidationError({name: _("Choose a day between 2000-01-01 and today.")})
        if date_from > date_to:
            raise serializers.ValidationError({"date_from": _("The first day must not be after the last day.")})
        if (date_to - date_from).days >= MAX_RANGE_DAYS:
            raise serializers.ValidationError({"date_to": _("Choose a range of at most two years.")})
        data["date_from"], data["date_to"] = date_from, date_to
        return data


class ApplicationsQuery(DashboardQuery):
    status = serializers.ChoiceField(choices=Status.choices)
    age = serializers.ChoiceField(choices=[(key, key) for key in AGE_BUCKET_KEYS], required=False)


def first_error(errors) -> str:
    """One sentence for a page: the first message of the first field."""
    if isinstance(errors, dict):
        for value in errors.values():
            return first_error(value)
    if isinstance(errors, list) and errors:
        return first_error(errors[0])
    return str(errors)
