"""Small validators shared by forms, serializers and models."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MOBILE_PHONE = re.compile(r"^1[3-9]\d{9}$")


def validate_mobile_phone(value: str) -> None:
    if not MOBILE_PHONE.match(value or ""):
        raise ValidationError(
            _("Enter a mainland mobile number: 11 digits starting with 1, such as 13800138000."),
            code="invalid_phone",
        )


def validate_person_name(value: str) -> None:
    name = (value or "").strip()
    if not name:
        raise ValidationError(_("Enter the name exactly as on the resident ID card."), code="empty_name")
    if len(name) > 60 or any(ch.isdigit() for ch in name):
        raise ValidationError(
            _("A name has at most 60 characters and no digits; enter it as on the resident ID card."),
            code="invalid_name",
        )
