"""Why an application goes back to the citizen, and which field they must correct (rules 2, 3)."""

from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ReturnReason:
    code: str
    label: Promise
    field: str  # the form field the citizen corrects; "" when nothing on the form can fix it


RETURN_REASONS = [
    ReturnReason("photo", _("The photo does not meet the rules (colour, bareheaded, white background)."), "photo"),
    ReturnReason("name", _("The name differs from the resident ID card."), "name"),
    ReturnReason("phone", _("The mobile phone number cannot be reached."), "phone"),
    ReturnReason("address", _("The address is incomplete."), "address"),
    ReturnReason("household_city", _("The household registration city is wrong."), "household_city"),
    ReturnReason("insurance_type", _("The insurance type does not match the insurance record."), "insurance_type"),
    ReturnReason("guardian_proof", _("The proof of guardianship is missing or unreadable."), "guardian_proof"),
    ReturnReason("relationship", _("The relationship to the child is not shown by the proof."), "relationship"),
    ReturnReason(
        "registry_no_record", _("The information centre has no household record: register the household first."), ""
    ),
    ReturnReason("bank_mismatch", _("The bank's customer record differs from the application."), "name"),
    ReturnReason(
        "production_failed",
        _("The card could not be made (制卡失败); check the photo and details and resubmit."),
        "photo",
    ),
    ReturnReason("other", _("Other (see the clerk's note)."), ""),
]
RETURN_REASONS_BY_CODE = {reason.code: reason for reason in RETURN_REASONS}
# Reasons a clerk picks from when returning an application by hand.
CLERK_RETURN_REASON_CODES = [
    "photo",
    "name",
    "phone",
    "address",
    "household_city",
    "insurance_type",
    "guardian_proof",
    "relationship",
    "other",
]


def shown_reason(reason_code: str, stored: str) -> str:
    """A return reason in the reader's language. The stored text is the reason's label in the language of
    whoever returned the application, then the clerk's own note (kept as written)."""
    reason = RETURN_REASONS_BY_CODE.get(reason_code)
    if reason is None or not stored:
        return stored
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            label = str(reason.label)
        if stored.startswith(label):
            return str(reason.label) + stored[len(label) :]
    return stored


# For texts put together once and rendered in several languages (notices).
shown_reason_lazy = lazy(shown_reason, str)
