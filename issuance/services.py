"""Operations on cards at the station and online: pickup (rule 9) and, in lifecycle.py, the card's life."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import CLERK, HOLDER, role_of
from applications import workflow
from applications.models import ApplicationKind, CardApplication, Channel, CityPolicy, Status
from applications.replacements import needs_frequency_review
from applications.services import correct_person_record, record_card_made, start_application
from applications.workdays import add_working_days
from sbcard.errors import Conflict, InvalidInput
from sbcard.idnumbers import canonical, parse_resident_id
from sbcard.uploads import check_document
from sbcard.validators import validate_person_name

from .lifecycle import apply_card_event
from .models import Card, CardChange, CardStatus, LossReport, NamedProxy, Pickup, SwipeLimitChange

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
        number = canonical(id_number)
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
        if canonical(presented_id_number) != application.person.id_number:
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
    if role_of(actor, application) != HOLDER:
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


# --- the card's life ----------------------------------------------------------------------------

SWIPE_LIMIT_MAX = 20


def _validate_swipe_limit(limit) -> int:
    try:
        value = int(limit)
    except (TypeError, ValueError):
        value = -1
    if not 1 <= value <= SWIPE_LIMIT_MAX:
        raise InvalidInput(
            _("The daily pharmacy swipe limit is a whole number from 1 to %(max)d.") % {"max": SWIPE_LIMIT_MAX},
            code="invalid_swipe_limit",
            field="swipe_limit",
        )
    return value


@transaction.atomic
def activate_card(card_id: int, *, actor, swipe_limit: int | None = None) -> Card:
    """Rule 10: activated in person at the bank (reported by the bank, or recorded by a clerk);
    the daily pharmacy swipe limit is set then, by default the city's (2)."""

    limit = _validate_swipe_limit(swipe_limit if swipe_limit is not None else CityPolicy.current().default_swipe_limit)
    card = apply_card_event(card_id, "activate", actor=actor)
    now = timezone.now()
    Card.objects.filter(pk=card.pk).update(activated_at=now, swipe_limit=limit)
    SwipeLimitChange.objects.create(card=card, old_limit=None, new_limit=limit, changed_by=actor, channel="activation")
    card.refresh_from_db()
    return card


@transaction.atomic
def change_swipe_limit(card_id: int, *, actor, swipe_limit, channel: str) -> Card:
    """Rule 10: the holder online or a clerk at the station changes the limit; every change is kept."""

    limit = _validate_swipe_limit(swipe_limit)
    card = Card.objects.select_for_update(of=("self",)).select_related("person", "application").get(pk=card_id)
    if role_of(actor, card) not in (HOLDER, CLERK):
        raise Conflict(_("You are not allowed to change this card's limit."), code="role_not_allowed")
    if card.status != CardStatus.ACTIVE:
        raise Conflict(
            _("The limit can be changed only on an active card; this one is “%(status)s”.")
            % {"status": card.get_status_display()},
            code="card_not_active",
        )
    SwipeLimitChange.objects.create(
        card=card, old_limit=card.swipe_limit, new_limit=limit, changed_by=actor, channel=channel
    )
    card.swipe_limit = limit
    card.save(update_fields=["swipe_limit"])
    return card


def _check_caller(card: Card, *, name: str, id_number: str) -> None:
    """A loss call names the card's holder: name and ID number must match the card (rule 12)."""
    try:
        number = parse_resident_id(id_number).number
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), code=error.code, field="id_number") from error
    if number != card.person.id_number or (name or "").strip() != card.person.name:
        raise InvalidInput(
            _("The name and ID number given do not match this card's holder."),
            code="caller_mismatch",
            field="id_number",
        )


@transaction.atomic
def report_loss_orally(
    card_id: int, *, actor, channel: str, name: str = "", id_number: str = "", employer: str = "", phone: str = ""
):
    """Rule 12: an oral report (online, by phone or 12333) suspends the card at once; it lapses unless it is
    confirmed in writing within 3 working days. Returns the report, with its exact deadline."""

    card = Card.objects.select_related("person").get(pk=card_id)
    if channel not in (LossReport.Channel.ONLINE, LossReport.Channel.PHONE, LossReport.Channel.HOTLINE):
        raise InvalidInput(_("Unknown channel for an oral report."), field="channel")
    if channel != LossReport.Channel.ONLINE:
        _check_caller(card, name=name, id_number=id_number)
    apply_card_event(card.pk, "report_lost_orally", actor=actor)
    now = timezone.now()
    deadline = add_working_days(timezone.localdate(now), CityPolicy.current().oral_loss_report_working_days)
    return LossReport.objects.create(
        card=card,
        kind=LossReport.Kind.ORAL,
        channel=channel,
        reported_by=actor,
        caller_employer=employer.strip(),
        caller_phone=phone.strip(),
        written_deadline=deadline,
        created_at=now,
    )


@transaction.atomic
def report_loss_in_writing(card_id: int, *, actor, presented_id_number: str):
    """Rule 12: a written report at a station takes effect at once (and confirms an oral one)."""

    card = Card.objects.select_related("person").get(pk=card_id)
    if canonical(presented_id_number) != card.person.id_number:
        raise InvalidInput(
            _("A written loss report is made by the holder with their resident ID card; the number does not match."),
            code="wrong_id",
            field="presented_id_number",
        )
    now = timezone.now()
    if card.status == CardStatus.PRE_REPORTED_LOST:
        apply_card_event(card.pk, "confirm_loss_in_writing", actor=actor)
        LossReport.objects.filter(
            card=card, kind=LossReport.Kind.ORAL, confirmed_at=None, lapsed_at=None, withdrawn_at=None
        ).update(confirmed_at=now)
    else:
        apply_card_event(card.pk, "report_lost_in_writing", actor=actor)
    return LossReport.objects.create(
        card=card,
        kind=LossReport.Kind.WRITTEN,
        channel=LossReport.Channel.STATION,
        reported_by=actor,
        created_at=now,
        confirmed_at=now,
    )


@transaction.atomic
def unreport_loss(card_id: int, *, actor, presented_id_number: str) -> Card:
    """Rule 14: the holder in person, only while no replacement has been applied for (and, for a written
    report, only where the city allows it)."""

    card = Card.objects.select_related("person").get(pk=card_id)
    if canonical(presented_id_number) != card.person.id_number:
        raise InvalidInput(
            _("Only the holder, in person with their resident ID card, can withdraw a loss report."),
            code="wrong_id",
            field="presented_id_number",
        )
    card = apply_card_event(card.pk, "unreport", actor=actor)
    LossReport.objects.filter(card=card, withdrawn_at=None, lapsed_at=None).update(withdrawn_at=timezone.now())
    return card


def lapse_oral_reports(today) -> int:
    """Rule 12: oral reports not confirmed in writing by their deadline lapse; the card is active again."""

    due = list(
        LossReport.objects.filter(
            kind=LossReport.Kind.ORAL,
            written_deadline__lt=today,
            confirmed_at=None,
            lapsed_at=None,
            withdrawn_at=None,
            card__status=CardStatus.PRE_REPORTED_LOST,
        ).values_list("pk", "card_id")[:5000]
    )
    for report_id, card_id in due:
        with transaction.atomic():
            try:
                apply_card_event(card_id, "lapse_oral_report", actor=None)
            except Conflict:
                continue
            LossReport.objects.filter(pk=report_id).update(lapsed_at=timezone.now())
    return len(due)


def oral_reports_about_to_lapse(today):
    """Oral reports whose last day to confirm in writing is today: the holder is told once."""

    return LossReport.objects.filter(
        kind=LossReport.Kind.ORAL,
        written_deadline=today,
        confirmed_at=None,
        lapsed_at=None,
        withdrawn_at=None,
        lapse_warned_at=None,
        card__status=CardStatus.PRE_REPORTED_LOST,
    ).select_related("card__person__user", "card__application__station")


# --- replacement (rule 13) and exchange (rule 15) ------------------------------------------------

LOST_STATUSES = ("pre_reported_lost", "reported_lost")


def _new_application_for(card: Card, *, actor, kind: str, station, channel: str) -> CardApplication:

    previous = card.application
    application = start_application(
        actor=actor,
        holder=card.person,
        station=station,
        insurance_type=previous.insurance_type,
        household_city=previous.household_city,
        address=previous.address,
        phone=previous.phone,
        kind=kind,
        channel=channel,
        relationship=previous.relationship if actor.is_citizen else "self",
        previous=previous,
    )
    return application


@transaction.atomic
def apply_for_replacement(
    card_id: int,
    *,
    actor,
    proxy: ProxyDetails | None = None,
    presented_id_number: str = "",
    issue_now: bool = False,
) -> CardApplication:
    """Rule 13: after a loss, online by the holder or at a station (also by a proxy with both IDs).

    At a station the application is accepted at once; the old card becomes `replaced` when it is
    approved. At a station that issues on the spot (立等可取) the new card is printed there and then. A replacement
    beyond the city's limit within 12 months is neither: it waits in the station's review queue with the history
    (applications.replacements), and the old card stops when the review approves it.
    """

    card = Card.objects.select_related("person", "application__station").get(pk=card_id)
    if card.status not in LOST_STATUSES:
        raise Conflict(
            _("A replacement is for a lost card: report the card lost first (it is “%(status)s”).")
            % {"status": card.get_status_display()},
            code="card_not_lost",
        )
    at_station = actor.is_clerk
    if at_station:
        if canonical(presented_id_number) != card.person.id_number:
            raise InvalidInput(
                _("Check the holder's resident ID card: the number entered does not match the card's holder."),
                code="wrong_id",
                field="presented_id_number",
            )
        if proxy is not None:
            proxy = _check_proxy(proxy)
            if not proxy.id_number:
                raise InvalidInput(
                    _("A proxy applying for a replacement shows their own resident ID card too."),
                    field="proxy_id_number",
                )
        station = actor.station
    else:
        station = card.application.station
    application = _new_application_for(
        card,
        actor=actor,
        kind=ApplicationKind.REPLACEMENT,
        station=station,
        channel=Channel.COUNTER if at_station else Channel.ONLINE,
    )
    CardChange.objects.create(
        application=application,
        old_card=card,
        reason=CardChange.Reason.LOST,
        proxy_name=proxy.name if proxy else "",
        proxy_id_number=proxy.id_number if proxy else "",
    )
    if at_station:
        if needs_frequency_review(application):
            workflow.apply_event(application.pk, "refer_for_review", actor=actor)
        else:
            workflow.apply_event(application.pk, "accept_at_counter", actor=actor)
            retire_old_card(application.pk, actor=actor)
            if issue_now:
                issue_at_station(application.pk, actor=actor)
    application.refresh_from_db()
    return application


@transaction.atomic
def issue_at_station(application_id: int, *, actor) -> CardApplication:
    """立等可取: the station prints the replacement; the holder's bank account goes on to the new card."""
    application = workflow.apply_event(application_id, "issue_at_station", actor=actor)
    number = f"L{application.station.code}{application.pk:08d}"
    record_card_made(application.pk, card_number=number)
    application.refresh_from_db()
    return application


def check_exchange_reason(card: Card, *, reason: str, new_name: str, new_id_number: str) -> tuple[str, str]:
    """Rule 15: damage, or a name or ID number corrected in the insurance record first; a 15-to-18-digit
    upgrade of the same number needs no exchange."""

    if reason not in CardChange.Reason.values or reason == CardChange.Reason.LOST:
        raise InvalidInput(_("Choose why the card is exchanged."), code="invalid_reason", field="reason")
    if reason == CardChange.Reason.NAME_CHANGED:
        try:
            validate_person_name(new_name)
        except ValidationError as error:
            raise InvalidInput(" ".join(error.messages), field="new_name") from error
        if new_name.strip() == card.person.name:
            raise InvalidInput(_("The new name is the same as the name on the card."), field="new_name")
        return new_name.strip(), ""
    if reason == CardChange.Reason.ID_NUMBER_CHANGED:
        try:
            resident = parse_resident_id(new_id_number)
        except ValidationError as error:
            raise InvalidInput(" ".join(error.messages), code=error.code, field="new_id_number") from error
        if resident.number == card.person.id_number:
            raise InvalidInput(
                _(
                    "No exchange is needed: the 18-digit number is the old 15-digit number upgraded, and the card "
                    "stays valid with it."
                ),
                code="id_upgrade_needs_no_exchange",
                field="new_id_number",
            )
        return "", resident.number
    return "", ""


@transaction.atomic
def apply_for_exchange(
    card_id: int, *, actor, reason: str, new_name: str = "", new_id_number: str = ""
) -> CardApplication:

    card = Card.objects.select_related("person", "application__station").get(pk=card_id)
    if card.status != CardStatus.ACTIVE:
        raise Conflict(
            _("Only an active card can be exchanged; this one is “%(status)s”.")
            % {"status": card.get_status_display()},
            code="card_not_active",
        )
    new_name, new_id_number = check_exchange_reason(card, reason=reason, new_name=new_name, new_id_number=new_id_number)
    at_station = actor.is_clerk
    application = _new_application_for(
        card,
        actor=actor,
        kind=ApplicationKind.EXCHANGE,
        station=actor.station if at_station else card.application.station,
        channel=Channel.COUNTER if at_station else Channel.ONLINE,
    )
    CardChange.objects.create(
        application=application, old_card=card, reason=reason, new_name=new_name, new_id_number=new_id_number
    )
    if at_station:
        workflow.apply_event(application.pk, "accept_at_counter", actor=actor)
        retire_old_card(application.pk, actor=actor)
    application.refresh_from_db()
    return application


def retire_old_card(application_id: int, *, actor) -> None:
    """When a replacement or exchange is approved, the old card stops: `replaced` or `exchanged`; a
    corrected name or ID number goes onto the holder's record."""

    change = (
        CardChange.objects.select_related("old_card", "application__person")
        .filter(application_id=application_id)
        .first()
    )
    if change is None:
        return
    card = change.old_card
    # The system retires the card as a consequence of the approved application (the clerk who approved it
    # may work at another station than the one that issued the old card).
    because = _("for application %(reference)s") % {"reference": change.application.reference}
    if change.reason == CardChange.Reason.LOST:
        if card.status == CardStatus.PRE_REPORTED_LOST:
            apply_card_event(card.pk, "confirm_loss_in_writing", actor=None, reason=because)
        apply_card_event(card.pk, "replace", actor=None, reason=because)
        return
    apply_card_event(card.pk, "exchange", actor=None, reason=because)
    if change.new_name or change.new_id_number:
        correct_person_record(
            change.application.person_id, name=change.new_name, id_number=change.new_id_number, actor=actor
        )


def retire_old_cards_on_approval(changes, actor) -> None:
    """A replacement or exchange approved in the online review: its old card stops (registered with the
    application table in apps.py, so applications never imports issuance)."""
    for change in changes:
        if change.record.kind in (ApplicationKind.REPLACEMENT, ApplicationKind.EXCHANGE):
            retire_old_card(change.record.pk, actor=actor)


class LossReportDeadlines:
    """When an entered holiday year moves the day an open oral loss report must be confirmed in writing by
    (applications/calendar.py): the date the holder was told, the date the new calendar gives, stored here."""

    kind = "loss_report"

    def _open(self):
        return LossReport.objects.filter(
            kind=LossReport.Kind.ORAL, confirmed_at=None, lapsed_at=None, withdrawn_at=None
        ).exclude(written_deadline=None)

    def before(self, year: int) -> dict:
        return dict(self._open().values_list("pk", "written_deadline"))

    def after(self, year: int) -> dict:
        days = CityPolicy.current().oral_loss_report_working_days
        return {
            pk: add_working_days(timezone.localdate(created_at), days)
            for pk, created_at in self._open().values_list("pk", "created_at")
        }

    def store(self, changes: dict) -> None:
        for pk, (_old, new) in changes.items():  # a few open reports: one UPDATE each
            LossReport.objects.filter(pk=pk).update(written_deadline=new, lapse_warned_at=None)
