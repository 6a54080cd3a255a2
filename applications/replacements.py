"""Replacement counts (SSA counts replacement cards, three a year, to catch fraud): a replacement beyond the city's
limit within 12 months (CityPolicy.replacements_allowed_in_12_months, 3 by default: the fourth) is neither accepted
on the spot nor printed at once; it goes to a clerk's review with the person's replacement history shown, and the
clerk's decision, with what they checked, is audited."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from .models import ApplicationKind, CardApplication, CityPolicy, Status


def a_year_before(moment: datetime.datetime) -> datetime.datetime:
    """The same day and time 12 months earlier (29 February: 28 February of the year before)."""
    try:
        return moment.replace(year=moment.year - 1)
    except ValueError:
        return moment.replace(year=moment.year - 1, day=28)


@dataclass(frozen=True)
class ReplacementHistory:
    earlier: list[CardApplication]  # the person's other replacements in the 12 months before this one, newest first
    limit: int

    @property
    def number(self) -> int:
        """Which replacement within 12 months this one is (1 for the first)."""
        return len(self.earlier) + 1

    @property
    def needs_review(self) -> bool:
        return len(self.earlier) >= self.limit


def replacement_history(application: CardApplication) -> ReplacementHistory | None:
    """For a replacement: the same person's replacements in the 12 months before it (cancelled ones left out: no
    card was made), oldest last. None for other kinds of application."""
    if application.kind != ApplicationKind.REPLACEMENT:
        return None
    created = application.created_at or timezone.now()
    earlier = (
        CardApplication.objects.filter(
            person_id=application.person_id,
            kind=ApplicationKind.REPLACEMENT,
            created_at__gte=a_year_before(created),
            created_at__lte=created,
        )
        .exclude(pk=application.pk)
        .exclude(status=Status.CANCELLED)
        .select_related("station")
        .order_by("-created_at", "-id")
    )
    return ReplacementHistory(list(earlier), CityPolicy.current().replacements_allowed_in_12_months)


def needs_frequency_review(application: CardApplication) -> bool:
    history = replacement_history(application)
    return history is not None and history.needs_review


def beyond_the_limit(applications: list[CardApplication]) -> set[int]:
    """Which of a page of applications are replacements beyond the limit: one query for the page, not one a row."""
    replacements = [a for a in applications if a.kind == ApplicationKind.REPLACEMENT]
    if not replacements:
        return set()
    limit = CityPolicy.current().replacements_allowed_in_12_months
    others = (
        CardApplication.objects.filter(
            person_id__in={a.person_id for a in replacements},
            kind=ApplicationKind.REPLACEMENT,
            created_at__gte=a_year_before(min(a.created_at for a in replacements)),
        )
        .exclude(status=Status.CANCELLED)
        .values_list("pk", "person_id", "created_at")
    )
    by_person: dict[int, list] = {}
    for pk, person_id, created_at in others:
        by_person.setdefault(person_id, []).append((pk, created_at))
    return {
        a.pk
        for a in replacements
        if sum(
            1
            for pk, created_at in by_person.get(a.person_id, [])
            if pk != a.pk and a_year_before(a.created_at) <= created_at <= a.created_at
        )
        >= limit
    }
