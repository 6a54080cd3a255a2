"""Which applications a user may see, and one of them by id: accounts.access applied to CardApplication."""

from django.db.models import QuerySet

from accounts.access import access_by_id, visible_to

from .models import CardApplication


def applications_visible_to(user) -> QuerySet:
    """A citizen's own and their wards', a clerk's station's, an agent's employer's, everything for admins."""
    return visible_to(user, CardApplication.objects.all())


def access_application_by_id(user, application_id) -> CardApplication:
    return access_by_id(
        user, CardApplication.objects.select_related("person", "station", "photo", "applicant"), application_id
    )
