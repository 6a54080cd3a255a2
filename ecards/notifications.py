"""What e-card events tell the people they concern: a relative whose e-card someone now holds (or no longer
does), and a holder whose stopped e-card someone just showed at a hospital or pharmacy. The texts are written
here, in each reader's language; the notices app stores and sends them (SMS after commit)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from applications.notifications import recipients_for
from notices.services import About, Recipient, notices_for, save_notices
from notices.texts import mask_name

from .models import ECardCheck, FamilyLink


def _recipient(user, person) -> list[Recipient]:
    if user is not None and user.is_active:
        return [Recipient(user, user.phone)]
    return [Recipient(None, person.phone)] if person.phone else []


def tell_link_started(link: FamilyLink) -> None:
    """The relative learns who holds their e-card now, and how to stop it."""
    holder = mask_name(link.holder.full_name or str(link.holder))

    def text() -> str:
        return _(
            "%(holder)s now holds your electronic social security card on their phone. To stop it, sign in and open "
            "E-card → Family, or ask at a station."
        ) % {"holder": holder}

    rows = notices_for(
        key=f"family{link.pk}:started",
        kind="ecard_family_started",
        text_for=text,
        recipients=_recipient(link.person.user, link.person),
        about=About(link=reverse("ecards:family")),
    )
    save_notices(rows)


def tell_link_ended(link: FamilyLink, *, by) -> None:
    """The other side learns that a relative's e-card is no longer held."""
    relative = mask_name(link.person.name)
    holder = mask_name(link.holder.full_name or str(link.holder))
    if by.pk == link.holder_id:
        recipients = _recipient(link.person.user, link.person)

        def text() -> str:
            return _("%(holder)s no longer holds your electronic social security card.") % {"holder": holder}

    else:
        recipients = [Recipient(link.holder, link.holder.phone)] if link.holder.is_active else []

        def text() -> str:
            return _("%(relative)s has taken back their electronic social security card from your phone.") % {
                "relative": relative
            }

    rows = notices_for(
        key=f"family{link.pk}:ended",
        kind="ecard_family_ended",
        text_for=text,
        recipients=recipients,
        about=About(link=reverse("ecards:family")),
    )
    save_notices(rows)


def tell_stopped_ecard_shown(check: ECardCheck) -> None:
    """Someone showed the e-card of a card reported lost or replaced: its holder (and the guardian who applied
    for it) hear at once, by SMS too."""
    card = check.card
    when = date_format(timezone.localtime(check.checked_at), "Y-m-d H:i")
    place = check.institution.name

    def text() -> str:
        return _(
            "Your stopped electronic social security card was shown at %(place)s at %(when)s and refused. If it was "
            "not you, call 12333."
        ) % {"place": place, "when": when}

    rows = notices_for(
        key=f"ecardcheck{check.pk}",
        kind="ecard_stopped_shown",
        text_for=text,
        recipients=recipients_for(card.application),
        about=About(reference=card.application.reference, link=reverse("ecards:ecard", args=[card.pk])),
    )
    save_notices(rows)
