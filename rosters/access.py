"""Who sees which roster batches and employers: an agent their employer's, a clerk their station's.

A batch outside the user's binding is a 404, never a 403 that leaks that it exists.
"""

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import Employer, Role

from .models import RosterBatch


def batches_visible_to(user) -> QuerySet:
    batches = RosterBatch.objects.all()
    if not user.is_authenticated or not user.is_active:
        return batches.none()
    if user.is_city_admin:
        return batches
    if user.role == Role.CLERK:
        return batches.filter(station_id=user.station_id)
    if user.role == Role.EMPLOYER_AGENT:
        return batches.filter(employer_id=user.employer_id)
    return batches.none()


def access_batch_by_id(user, batch_id) -> RosterBatch:
    try:
        batch_id = int(batch_id)
    except (TypeError, ValueError) as error:
        raise Http404 from error
    batch = batches_visible_to(user).select_related("employer", "station").filter(pk=batch_id).first()
    if batch is None:
        raise Http404
    return batch


def employers_visible_to(user) -> QuerySet:
    employers = Employer.objects.all()
    if not user.is_authenticated or not user.is_active:
        return employers.none()
    if user.is_city_admin:
        return employers
    if user.role == Role.CLERK:
        return employers.filter(station_id=user.station_id)
    if user.role == Role.EMPLOYER_AGENT:
        return employers.filter(pk=user.employer_id)
    return employers.none()


def access_employer_by_id(user, employer_id) -> Employer:
    try:
        employer_id = int(employer_id)
    except (TypeError, ValueError) as error:
        raise Http404 from error
    employer = employers_visible_to(user).select_related("station").filter(pk=employer_id).first()
    if employer is None:
        raise Http404
    return employer
