"""Which cards a user may see, and one of them by id: accounts.access applied to Card."""

from django.db.models import QuerySet

from accounts.access import access_by_id, visible_to

from .models import Card


def cards_visible_to(user) -> QuerySet:
    """A citizen's cards (and their wards'), the cards a clerk's station issued, all of them for admins."""
    return visible_to(user, Card.objects.all())


def access_card_by_id(user, card_id) -> Card:
    return access_by_id(
        user, Card.objects.select_related("person", "application__station", "application__applicant"), card_id
    )
