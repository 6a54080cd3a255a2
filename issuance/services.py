"""Operations on cards at the station and online: pickup (rule 9) and, in lifecycle.py, the card's life."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications import workflow
from applications.idnumbers import compact, parse_resident_id
from applications.models import CardApplication, Status
from sbcard.errors import Conflict, InvalidInput
from sbcard.uploads import check_document
from sbcard.validators import validate_person_name

from .models import Card, NamedProxy, Pickup

COLLECTABLE = (Status.READY_FOR_PICKUP, Status.UNCLAIMED)


@dataclass(frozen=True)
class ProxyDetails:
    """The person collecting for the holder: their name, and their ID number or social security card."""

    name: str
    id_number: str = ""
    card_number: str = ""


def _check_proxy(proxy: ProxyDetails) -> ProxyDetails:
    try:
        validate_person_name(proxy.name)
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), code="invalid_name", field="proxy_name") from error
    id_number = ""
    if proxy.id_number:
        try:
            id_number = parse_resident_id(proxy.id_number).number
        except ValidationError as error:
            raise InvalidInput(" ".join(error.messages), code=error.code, field="proxy_id_number") from error
    card_number = (proxy.card_number or "").strip()
    if not id_number and not card_number:
        raise InvalidInput(
            _("A proxy shows their own resident ID card or social security card: enter one of the two numbers."),
            code="proxy_identity_missing",
            field="proxy_id_number",
        )
    return ProxyDetails(name=proxy.name.strip(), id_number=id_number, card_number=card_number)


def _store_authorisation(upload) -> ContentFile:
    if upload is None:
        raise InvalidInput(
            _("A proxy needs the holder's signed authorisation (委托书): upload a scan or photo of it."),
            code="authorisation_missing",
            field="authorisation",
        )
    document = check_document(upload, field="authorisation")
    return ContentFile(document.content, name=f"authorisation.{document.extension}")


def find_collectable(station_id: int, id_number: str) -> CardApplication | None:
    """The pickup desk's search: a card waiting at this station for this ID number."""
    try:
        number = parse_resident_id(id_number).number
    except ValidationError:
        number = compact(id_number)
    return (
        CardApplication.objects.select_related("person", "station")
        .filter(station_id=station_id, person__id_number=number, status__in=COLLECTABLE)
        .first()
    )


@transaction.atomic
def hand_over_card(
    application_id: int, *, actor, presented_id_number: str = "", proxy: ProxyDetails | None = None, authorisation=None
) -> Card:
    """Rule 9: the holder with their own ID, or a proxy with a signed authorisation and both IDs."""
    application = CardApplication.objects.select_related("person").get(pk=application_id)
    if application.status not in COLLECTABLE:
        raise Conflict(
            _("This card cannot be handed over: the application is “%(status)s”.")
            % {"status": application.get_status_display()},
            code="transition_not_allowed",
        )
    if proxy is None:
        if compact(presented_id_number) != application.person.id_number:
            raise InvalidInput(
                _(
                    "The ID card presented is not the holder's. The holder collects with their own resident ID card, "
                    "or sends a proxy with a signed authorisation."
                ),
                code="wrong_id",
                field="presented_id_number",
            )
        document = None
    else:
        proxy = _check_proxy(proxy)
        if proxy.id_number and proxy.id_number == application.person.id_number:
            raise InvalidInput(_("The proxy cannot be the holder."), field="proxy_id_number")
        named = NamedProxy.objects.filter(application=application).first()
        if named is not None and proxy.id_number != named.id_number:
            raise InvalidInput(
                _("The holder named another person to collect this card; the proxy's ID number does not match."),
                code="not_the_named_proxy",
                field="proxy_id_number",
            )
        document = _store_authorisation(authorisation)
    workflow.apply_event(application.pk, "hand_over", actor=actor)
    return _create_cards([application], actor=actor, proxy=proxy, document=document)[0]


@transaction.atomic
def hand_over_cards(application_ids: list[int], *, actor, proxy: ProxyDetails, authorisation) -> list[Card]:
    """A batch handed to one proxy (an employer's agent) against one signed list: all or nothing."""
    proxy = _check_proxy(proxy)
    document = _store_authorisation(authorisation)
    workflow.apply_event_in_bulk(application_ids, "hand_over", actor=actor)
    applications = list(CardApplication.objects.filter(pk__in=application_ids).order_by("pk"))
    return _create_cards(applications, actor=actor, proxy=proxy, document=document)


def _create_cards(applications, *, actor, proxy: ProxyDetails | None, document: ContentFile | None) -> list[Card]:
    missing = [a.reference for a in applications if not a.card_number]
    if missing:
        raise Conflict(_("No card number was received for: %(list)s") % {"list": ", ".join(missing)})
    now = timezone.now()
    cards = Card.objects.bulk_create(
        [
            Card(number=a.card_number, application_id=a.pk, person_id=a.person_id, issued_at=now, status_changed_at=now)
            for a in applications
        ]
    )
    stored_name = ""
    if document is not None:
        stored = Pickup._meta.get_field("authorisation")
        stored_name = stored.storage.save(stored.generate_filename(None, document.name), document)
    Pickup.objects.bulk_create(
        [
            Pickup(
                application_id=card.application_id,
                card=card,
                by_proxy=proxy is not None,
                proxy_name=proxy.name if proxy else "",
                proxy_id_number=proxy.id_number if proxy else "",
                proxy_card_number=proxy.card_number if proxy else "",
                authorisation=stored_name,
                clerk=actor,
                collected_at=now,
            )
            for card in cards
        ]
    )
    return cards


@transaction.atomic
def name_proxy(application_id: int, *, actor, name: str, id_number: str) -> NamedProxy:
    """A holder names, online and beforehand, who will collect the card for them."""
    application = (
        CardApplication.objects.select_for_update(of=("self",)).select_related("person").get(pk=application_id)
    )
    if workflow.role_of(actor, application) != workflow.HOLDER:
        raise Conflict(_("Only the holder (or their guardian) can name a proxy."), code="not_holder")
    if application.status in (Status.COLLECTED, Status.CANCELLED):
        raise Conflict(_("The card has already been collected or the application is closed."))
    proxy = _check_proxy(ProxyDetails(name=name, id_number=id_number))
    if not proxy.id_number:
        raise InvalidInput(_("Enter the proxy's resident ID number."), field="proxy_id_number")
    if proxy.id_number == application.person.id_number:
        raise InvalidInput(_("The proxy cannot be the holder."), field="proxy_id_number")
    named, _created = NamedProxy.objects.update_or_create(
        application=application, defaults={"name": proxy.name, "id_number": proxy.id_number}
    )
    return named
