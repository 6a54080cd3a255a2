"""Who sees which roster batches and employers (accounts.access): an agent their employer's, a clerk their
station's, an admin all. A batch outside the user's binding is a 404, never a 403 that leaks that it exists."""

from django.db.models import QuerySet

from accounts.access import access_by_id, visible_to
from accounts.models import Employer

from .models import RosterBatch


def batches_visible_to(user) -> QuerySet:
    return visible_to(user, RosterBatch.objects.all())


def access_batch_by_id(user, batch_id) -> RosterBatch:
    return access_by_id(user, RosterBatch.objects.select_related("employer", "station"), batch_id)


def employers_visible_to(user) -> QuerySet:
    return visible_to(user, Employer.objects.all())


def access_employer_by_id(user, employer_id) -> Employer:
    return access_by_id(user, Employer.objects.select_related("station"), employer_id)
