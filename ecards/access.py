"""Whose e-cards a user holds on their phone, and one of them by its card's id (a 404 otherwise).

A citizen holds their own e-card; as guardian, the e-cards of their children under 16 for whom a proof of
guardianship is on file (an application they filed for the child with the proof, rule 16); and the e-cards of
relatives who consented by SMS code (ecards.services). At most MAX_OTHERS others in all.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.access import record_refusal
from accounts.models import Role
from applications.models import CardApplication, Person, Relationship
from applications.services import GUARDIAN_MAX_AGE
from issuance.models import Card
from notices.texts import mask_name

from .models import FamilyLink

SELF, CHILD, RELATIVE = "self", "child", "relative"
RELATION_CHOICES = [
    (SELF, _("Myself")),
    (CHILD, _("My child (under 16)")),
    (RELATIVE, _("Relative (with their consent)")),
]
RELATIONS = dict(RELATION_CHOICES)


@dataclass(frozen=True)
class WalletEntry:
    person: Person
    relation: str  # self, child or relative
    card: Card | None  # the person's latest card: its e-card (None: no card collected yet)
    link: FamilyLink | None = None

    @property
    def relation_label(self):
        return RELATIONS[self.relation]

    @property
    def masked_name(self) -> str:
        return mask_name(self.person.name)


def sixteenth_birthday_cutoff(today: datetime.date) -> datetime.date:
    """Born after this day: under 16 today (a 29 February birthday counts from 1 March in a common year)."""
    try:
        return today.replace(year=today.year - GUARDIAN_MAX_AGE)
    except ValueError:
        return today.replace(year=today.year - GUARDIAN_MAX_AGE, day=28)


def wards_with_proof(user) -> list[int]:
    """The people under 16 for whom this user filed an application with a proof of guardianship."""
    if user.role != Role.CITIZEN:
        return []
    cutoff = sixteenth_birthday_cutoff(timezone.localdate())
    return list(
        CardApplication.objects.filter(applicant=user, person__birth_date__gt=cutoff)
        .exclude(relationship=Relationship.SELF)
        .exclude(guardian_proof="")
        .values_list("person_id", flat=True)
        .distinct()
    )


def wallet(user) -> list[WalletEntry]:
    """The user's own e-card first, then their children's, then relatives' (a few queries, whatever the city)."""
    if not user.is_authenticated or not user.is_active or user.role != Role.CITIZEN:
        return []
    own = getattr(user, "person", None)
    links = {
        link.person_id: link
        for link in FamilyLink.objects.filter(holder=user, state=FamilyLink.State.ACTIVE).select_related("person")
    }
    wards = [person_id for person_id in wards_with_proof(user) if person_id not in links]
    people = {person.pk: person for person in Person.objects.filter(pk__in=[*wards, *links])}
    if own is not None:
        people[own.pk] = own
    latest: dict[int, Card] = {}
    cards = Card.objects.filter(person_id__in=list(people)).select_related("application").order_by("issued_at", "id")
    for card in cards:  # a person has one card or a few (replaced, exchanged): the newest one is theirs
        latest[card.person_id] = card
    for card in latest.values():
        card.person = people[card.person_id]
    entries = []
    if own is not None:
        entries.append(WalletEntry(own, SELF, latest.get(own.pk)))
    entries += [WalletEntry(people[pk], CHILD, latest.get(pk)) for pk in wards if pk in people]
    entries += [WalletEntry(people[pk], RELATIVE, latest.get(pk), link) for pk, link in links.items()]
    return entries


def others_held(user) -> int:
    """Children's and relatives' e-cards held (or asked for): what counts towards MAX_OTHERS."""
    asked = FamilyLink.objects.filter(holder=user, state__in=[FamilyLink.State.PENDING, FamilyLink.State.ACTIVE])
    linked = set(asked.values_list("person_id", flat=True))
    return len(linked | set(wards_with_proof(user)))


def access_ecard(user, card_id) -> tuple[Card, WalletEntry]:
    """One card of someone in the user's wallet (an old, replaced card too), with how it is theirs; else 404."""
    try:
        card_id = int(card_id)
    except (TypeError, ValueError) as error:
        raise Http404 from error
    entries = {entry.person.pk: entry for entry in wallet(user)}
    card = (
        Card.objects.select_related("application__station", "application__photo")
        .filter(Q(pk=card_id), Q(person_id__in=list(entries)))
        .first()
    )
    if card is None:
        record_refusal(user, "issuance.card", card_id, detail="e-card outside the user's wallet (404)")
        raise Http404
    entry = entries[card.person_id]
    card.person = entry.person
    return card, entry
