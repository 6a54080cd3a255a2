"""Why an application goes back to the citizen, and which field they must correct (rules 2, 3)."""

from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext, pgettext_lazy
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
    ReturnReason(
        "registry_mismatch", _("The city information centre's household record differs from the application."), "name"
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


# A partner that holds the applicant's details differently (rule 3): which partner, and where the record is put
# right when the partner is the one that is wrong.
PARTNER_MISMATCH_CODES = {"registry_mismatch": "registry", "bank_mismatch": "bank"}
FIELD_LABELS = {"name": pgettext_lazy("person", "name"), "id_number": _("ID number")}
CORRECTED_AT = {
    "registry": ("corrected_at_registry", _("The applicant says the household record has been corrected.")),
    "bank": ("corrected_at_bank", _("The applicant says the bank has corrected its customer record.")),
}


LABELS_BY_CODE = {reason.code: reason.label for reason in RETURN_REASONS} | dict(CORRECTED_AT.values())


def partner_mismatch_text(detail: dict) -> str:
    """What the partner holds, what the application says, and what to do where: in the reader's language."""
    values = {
        "field": FIELD_LABELS.get(detail.get("field", ""), detail.get("field", "")),
        "held": detail.get("held", ""),
        "sent": detail.get("sent", ""),
    }
    if detail.get("partner") == "bank":
        return (
            gettext(
                "The partner bank holds your %(field)s as “%(held)s”; the application says “%(sent)s”. If the bank is "
                "right, correct the application. If the application is right, have the bank correct its record at a "
                "branch (bring your resident ID card), then say here that it is done."
            )
            % values
        )
    return (
        gettext(
            "The city information centre holds your %(field)s as “%(held)s”; the application says “%(sent)s”. If the "
            "information centre is right, correct the application. If the application is right, have your household "
            "record corrected at the household registration office (派出所户籍窗口), then say here that it is done."
        )
        % values
    )


def shown_reason(reason_code: str, stored: str, detail: dict | None = None) -> str:
    """A return reason in the reader's language. The stored text is the reason's label in the language of
    whoever returned the application, then the clerk's own note (kept as written). A partner's mismatch is
    written out again from what the partner answered (`detail`)."""
    label = LABELS_BY_CODE.get(reason_code)
    if label is not None and detail and reason_code in PARTNER_MISMATCH_CODES and detail.get("held"):
        return f"{label} {partner_mismatch_text(detail)}"
    if label is None or not stored:
        return stored
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            written = str(label)
        if stored.startswith(written):
            return str(label) + stored[len(written) :]
    return stored


# For texts put together once and rendered in several languages (notices).
shown_reason_lazy = lazy(shown_reason, str)
