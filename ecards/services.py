"""Operations on electronic cards: a fresh code for the holder, a check by a hospital or pharmacy, and relatives'
e-cards held with their SMS consent. One function per operation; pages and the API call these."""

import base64
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from accounts.access import HOLDER, role_of
from accounts.models import PhoneCode, Role, User
from accounts.phone_codes import send_code, use_code
from applications.models import CardApplication, Person
from audit import services as audit
from audit.models import AuditEntry
from issuance.models import Card, ECardState
from notices.texts import mask_name
from sbcard.errors import Conflict, InvalidInput, NotPermitted
from sbcard.idnumbers import mask_phone, mask_resident_id, parse_resident_id
from sbcard.jws import BadToken

from . import notifications
from .access import others_held, sixteenth_birthday_cutoff, wards_with_proof
from .codes import Code, ReadCode, issue_code, read_code
from .models import MAX_OTHERS, ECardCheck, FamilyLink

# --- the holder's code ---------------------------------------------------------------------------------------


def stopped_reason(card: Card) -> str:
    """Why an e-card shows no code, in words for its holder; "" while it works."""
    state = card.ecard_state
    if state == ECardState.SUSPENDED:
        return _(
            "The card is reported lost, so its e-card is stopped too. It works again if the loss report is withdrawn "
            "at a station; otherwise apply for a replacement."
        )
    if state == ECardState.REPLACED:
        return _(
            "This card was replaced or exchanged, so its e-card is stopped. The new card's e-card appears here once "
            "the new card is collected; meanwhile the pickup certificate (领卡证明) lets you be treated."
        )
    return ""


def ecard_details(card: Card, *, full: bool) -> dict:
    """What the e-card says about its holder: masked until the holder taps "show"."""
    person = card.person
    if full:
        return {"name": person.name, "number": person.id_number, "card_number": card.number}
    return {
        "name": mask_name(person.name),
        "number": mask_resident_id(person.id_number),
        "card_number": card.masked_number,
    }


def ecard_code(card: Card) -> Code:
    """A new signed code for an e-card that works; a 409 saying why for one that is stopped."""
    if card.ecard_state != ECardState.ACTIVE:
        raise Conflict(stopped_reason(card), code="ecard_stopped")
    return issue_code(card)


# --- a check by a hospital or pharmacy ---------------------------------------------------------------------------

NOT_GENUINE = {
    "unknown_key": lambda: _("signed with a key the city does not publish"),
    "bad_signature": lambda: _("its signature does not match: it was altered or made up"),
    "wrong_algorithm": lambda: _("it is not signed the way e-card codes are"),
    "unknown_card": lambda: _("no such card"),
}


@dataclass(frozen=True)
class CheckResult:
    check: ECardCheck
    card: Card | None
    code: ReadCode | None
    message: str
    photo_jpeg: str | None = None  # base64, shown with a valid card so staff can compare the face
    photo_note: str = ""

    @property
    def is_valid(self) -> bool:
        return self.check.outcome == ECardCheck.Outcome.VALID

    @property
    def shows_card(self) -> bool:
        """A genuine, current code: staff see whose card it is and its state (the photo only when it is valid)."""
        return self.check.outcome in (ECardCheck.Outcome.VALID, ECardCheck.Outcome.STOPPED)


def _photo(card: Card) -> tuple[str | None, str]:
    photo = card.application.photo
    if photo is None:
        if card.application.photo_on_file_at_registry:
            return None, _("The ID photo is held by the information centre: compare the resident ID card.")
        return None, _("No photo on this card (a child under 6 at application, rule 17): check the guardian's ID.")
    with photo.image.open("rb") as stored:
        return base64.b64encode(stored.read()).decode("ascii"), ""


def _message(outcome: str, card: Card | None, code: ReadCode | None, reason: str) -> str:
    if outcome == ECardCheck.Outcome.VALID:
        return _("Genuine and valid: the card is active. Compare the photo with the person in front of you.")
    if outcome == ECardCheck.Outcome.STOPPED:
        if card.ecard_state == ECardState.SUSPENDED:
            return _("Genuine, but the card is reported lost: do not accept it. The holder has been told.")
        return _("Genuine, but the card has been replaced by a new one: do not accept it. The holder has been told.")
    if outcome == ECardCheck.Outcome.EXPIRED:
        return _(
            "Genuine, but this code expired at %(time)s: ask the holder to show the code again (it changes every "
            "minute)."
        ) % {"time": time_format(timezone.localtime(code.expires_at), "H:i:s")}
    because = NOT_GENUINE.get(reason, lambda: _("it is not an e-card code"))()
    return _("Not genuine: %(reason)s. Do not accept it.") % {"reason": because}


@transaction.atomic
def check_code(token: str, *, actor, request=None) -> CheckResult:
    """A hospital's or pharmacy's staff check a code: genuine or not, the card's state, the masked name and the
    holder's photo. Every check is recorded; the holder sees it, and is told at once when someone shows a stopped
    e-card."""
    if actor.role != Role.VERIFIER or actor.institution is None or not actor.institution.is_active:
        raise NotPermitted(_("Only the staff of a designated hospital or pharmacy check e-cards."))
    if not (token or "").strip():
        raise InvalidInput(_("Scan the e-card's QR code, or type the code under it."), code="required", field="code")
    card, code, reason = None, None, ""
    try:
        code = read_code(token)
    except BadToken as error:
        outcome, reason = ECardCheck.Outcome.FORGED, error.reason
    else:
        card = (
            Card.objects.select_related("person", "application__photo", "application__applicant")
            .filter(pk=code.card_id)
            .first()
        )
        if card is None:
            outcome, reason = ECardCheck.Outcome.FORGED, "unknown_card"
        elif not code.is_current:
            outcome = ECardCheck.Outcome.EXPIRED
        elif card.ecard_state != ECardState.ACTIVE:
            outcome = ECardCheck.Outcome.STOPPED
        else:
            outcome = ECardCheck.Outcome.VALID
    check = ECardCheck.objects.create(
        card=card,
        code_id=code.code_id if code else "",
        outcome=outcome,
        reason=reason,
        card_status=card.status if card else "",
        verifier=actor,
        institution=actor.institution,
    )
    photo, note = None, ""
    if outcome == ECardCheck.Outcome.VALID:
        photo, note = _photo(card)
        # Staff saw a person's photo: audited like any read of personal data (SECURITY.md 8).
        audit.record(
            AuditEntry.Action.READ_PERSONAL_DATA,
            actor=actor,
            request=request,
            obj=check,
            id_number=card.person.id_number,
            detail="e-card check: photo",
        )
    if outcome == ECardCheck.Outcome.STOPPED:
        notifications.tell_stopped_ecard_shown(check)
    return CheckResult(check, card, code, _message(outcome, card, code, reason), photo, note)


# --- relatives' e-cards, with their consent --------------------------------------------------------------------


def phone_on_file(person: Person) -> str:
    """Where the relative's consent code goes: the phone their account confirmed by SMS, else the one on their
    record or their latest application. Never a number the person asking types."""
    user = person.user
    if user is not None and user.is_active and user.phone:
        return user.phone
    if person.phone:
        return person.phone
    latest = CardApplication.objects.filter(person=person).exclude(phone="").order_by("-created_at").first()
    return latest.phone if latest else ""


def _consent_scope(link: FamilyLink) -> str:
    return f"family-link-{link.pk}"


def _send_consent_code(link: FamilyLink, *, actor, client_address: str | None) -> str:
    phone = phone_on_file(link.person)
    asker = f"{mask_name(actor.full_name or str(actor))} ({mask_phone(actor.phone)})"
    language = link.person.user.preferred_language if link.person.user_id else "zh-hans"

    def text(code: str) -> str:
        with translation.override(language):
            return _(
                "%(asker)s asks to hold your electronic social security card on their phone. If you agree, give "
                "them this code: %(code)s (valid for 10 minutes). If not, ignore this message: nothing changes."
            ) % {"asker": asker, "code": code}

    return send_code(
        phone=phone,
        purpose=PhoneCode.Purpose.FAMILY_CONSENT,
        client_address=client_address,
        scope=_consent_scope(link),
        text=text,
    )


def _find_relative(*, name: str, id_number: str) -> Person:
    try:
        number = parse_resident_id(id_number).number
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), code=error.code, field="id_number") from error
    person = Person.objects.filter(id_number=number).select_related("user").first()
    if person is None or person.name != (name or "").strip() or not Card.objects.filter(person=person).exists():
        raise InvalidInput(
            _("No social security card was found for this name and ID number. Check both as on the ID card."),
            code="no_card",
            field="id_number",
        )
    return person


@transaction.atomic
def request_family_link(
    *, actor, name: str, id_number: str, relationship: str, client_address: str | None = None
) -> tuple[FamilyLink, str]:
    """Ask to hold a relative's e-card: a code goes by SMS to the phone on file for them; they pass it on if they
    agree. Returns the request and the code (only so a demo page can show it)."""
    if actor.role != Role.CITIZEN:
        raise NotPermitted(_("Only citizens hold e-cards."))
    if relationship not in FamilyLink.Relationship.values:
        raise InvalidInput(_("Choose the relationship from the list."), code="invalid_choice", field="relationship")
    User.objects.select_for_update().filter(pk=actor.pk).first()  # one request at a time per holder: the limit
    person = _find_relative(name=name, id_number=id_number)
    own = getattr(actor, "person", None)
    if own is not None and own.pk == person.pk:
        raise InvalidInput(_("This is your own e-card: it is already yours."), code="own_card", field="id_number")
    if person.birth_date > sixteenth_birthday_cutoff(timezone.localdate()):
        raise InvalidInput(
            _(
                "A child under 16 cannot consent by SMS. A guardian holds a child's e-card through the proof of "
                "guardianship on file: apply for the child's card as guardian, with the proof."
            ),
            code="child_needs_guardianship",
            field="id_number",
        )
    if person.pk in wards_with_proof(actor):
        raise Conflict(_("You already hold this child's e-card as guardian."), code="already_held")
    open_link = FamilyLink.objects.filter(
        holder=actor, person=person, state__in=[FamilyLink.State.PENDING, FamilyLink.State.ACTIVE]
    ).first()
    if open_link is not None and open_link.state == FamilyLink.State.ACTIVE:
        raise Conflict(_("You already hold this relative's e-card."), code="already_held")
    if open_link is None and others_held(actor) >= MAX_OTHERS:
        raise Conflict(
            _("You hold %(count)d e-cards of children and relatives already, the most one person may hold.")
            % {"count": MAX_OTHERS},
            code="too_many_ecards",
        )
    if not phone_on_file(person):
        raise Conflict(
            _("There is no mobile phone on file for your relative; they can add one at a station."), code="no_phone"
        )
    link = open_link or FamilyLink.objects.create(holder=actor, person=person, relationship=relationship)
    if open_link is not None and open_link.relationship != relationship:
        FamilyLink.objects.filter(pk=link.pk).update(relationship=relationship)
        link.relationship = relationship
    code = _send_consent_code(link, actor=actor, client_address=client_address)
    return link, code


def _own_link(link_id, actor, *, states) -> FamilyLink:
    link = (
        FamilyLink.objects.select_for_update(of=("self",))
        .select_related("person__user", "holder")
        .filter(pk=link_id, state__in=states)
        .first()
    )
    if link is None or role_of(actor, link) != HOLDER:
        raise Conflict(_("There is no such request, or it is no longer open."), code="no_such_request")
    return link


def confirm_family_link(link_id: int, *, actor, code: str) -> FamilyLink:
    """The relative's code, passed on by them: from now on the asker holds their e-card (the relative is told)."""
    with transaction.atomic():
        link = _own_link(link_id, actor, states=[FamilyLink.State.PENDING])
        if link.holder_id != actor.pk:
            raise Conflict(_("Only the person who asked can enter the relative's code."), code="not_the_asker")
        phone = phone_on_file(link.person)
    # Outside the transaction: a wrong code stays counted (accounts.phone_codes.use_code).
    use_code(phone=phone, purpose=PhoneCode.Purpose.FAMILY_CONSENT, code=code, scope=_consent_scope(link))
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=actor.pk).first()  # as when asking: one holder, one at a time
        link = _own_link(link_id, actor, states=[FamilyLink.State.PENDING])
        active = FamilyLink.objects.filter(holder=actor, state=FamilyLink.State.ACTIVE).count()
        if active + len(wards_with_proof(actor)) >= MAX_OTHERS:
            raise Conflict(
                _("You hold %(count)d e-cards of children and relatives already, the most one person may hold.")
                % {"count": MAX_OTHERS},
                code="too_many_ecards",
            )
        link.state, link.consented_at = FamilyLink.State.ACTIVE, timezone.now()
        link.save(update_fields=["state", "consented_at"])
        notifications.tell_link_started(link)
    return link


@transaction.atomic
def end_family_link(link_id: int, *, actor) -> FamilyLink:
    """The holder gives back a relative's e-card, or the relative takes theirs back (or a request is withdrawn);
    the other side is told."""
    link = _own_link(link_id, actor, states=[FamilyLink.State.PENDING, FamilyLink.State.ACTIVE])
    was_active = link.state == FamilyLink.State.ACTIVE
    link.state, link.ended_at, link.ended_by = FamilyLink.State.ENDED, timezone.now(), actor
    link.save(update_fields=["state", "ended_at", "ended_by"])
    if was_active:
        notifications.tell_link_ended(link, by=actor)
    return link
