"""Resident ID numbers (公民身份号码, GB 11643-1999).

18 characters: a 6-digit region code, the birth date (YYYYMMDD), a 3-digit sequence whose last digit
is odd for men and even for women, and a check character (ISO 7064 MOD 11-2 over the first 17 digits:
weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, the weighted sum's remainder mod 11 picks from "10X98765432").
15-digit numbers issued before 1999 are upgraded by putting "19" before the year and adding a check character.

What a person types is normalised before it is judged: spaces and hyphens go, full-width characters from
a Chinese input method are folded (NFKC) and a lowercase x becomes X. A refusal names the wrong part.

The region code is where the number was first issued; it may no longer exist or may postdate the
birth year, so a number is never refused for its region alone (python-stdnum's `cn.ric.validate`
checks the region against its own list, which is why it is not used here).
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"  # indexed by the weighted sum mod 11
EARLIEST_BIRTH = datetime.date(1890, 1, 1)
MAX_LENGTH = 18  # what the forms' length limit counts: the normalised number
SEPARATORS = re.compile(r"[\s\-‐‑‒–—−]")  # NFKC has already turned full-width spaces and hyphens into these
ALLOWED = re.compile(r"[0-9X]")


@dataclass(frozen=True)
class ResidentId:
    number: str  # always 18 characters
    birth_date: datetime.date
    sex: str  # "M" or "F"
    upgraded_from_15: bool

    @property
    def region_code(self) -> str:
        return self.number[:6]


def check_character(body: str) -> str:
    """ISO 7064 MOD 11-2 over the 17 digits before the check character."""
    if len(body) != 17 or not body.isascii() or not body.isdigit():
        raise ValueError("the check character is computed over exactly 17 digits")
    return CHECK_CHARACTERS[sum(int(digit) * weight for digit, weight in zip(body, WEIGHTS, strict=True)) % 11]


def normalise(value) -> str:
    """What was typed, as the number it stands for: NFKC-folded, no spaces or hyphens, X upper-case."""
    return SEPARATORS.sub("", unicodedata.normalize("NFKC", str(value or ""))).upper()


def canonical(value) -> str:
    """The number a typed value stands for, unjudged: normalised, and an old 15-digit number as its
    18-digit form. For comparing and looking up; `parse_resident_id` says whether it is valid."""
    number = normalise(value)
    return upgrade_15_to_18(number) if len(number) == 15 and number.isascii() and number.isdigit() else number


def upgrade_15_to_18(number15: str) -> str:
    """An old 15-digit number (YYMMDD, all born in the 1900s) as its 18-digit form."""
    body = number15[:6] + "19" + number15[6:]
    return body + check_character(body)


def _refuse(message, code: str, **params) -> ValidationError:
    return ValidationError(message, code=code, params=params or None)


def _check_characters(number: str) -> None:
    for position, char in enumerate(number, start=1):
        if not ALLOWED.fullmatch(char) or (char == "X" and position != len(number)):
            raise _refuse(
                _(
                    "Character %(position)d (“%(char)s”) cannot be in a resident ID number: it has only digits, "
                    "and an X only as its last character."
                ),
                "invalid_id_character",
                position=position,
                char=char,
            )
    if len(number) not in (15, 18):
        raise _refuse(
            _(
                "A resident ID number has 18 characters (an old card has 15 digits); "
                "this one has %(count)d once spaces and hyphens are left out."
            ),
            "invalid_id_length",
            count=len(number),
        )
    if len(number) == 15 and number.endswith("X"):
        raise _refuse(
            _("An old 15-digit resident ID number has digits only; check the last character."),
            "invalid_id_character",
        )


def _birth_date(yyyymmdd: str, shown: str, today: datetime.date, *, fifteen: bool) -> datetime.date:
    """The birth date from its 8 digits; `shown` is how the person typed it (6 digits on an old card)."""
    where = _("characters 7-12") if fifteen else _("characters 7-14")
    try:
        birth_date = datetime.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError as error:
        raise _refuse(
            _("The birth date in the ID number (%(where)s, “%(digits)s”) is not a real date."),
            "invalid_id_birth_date",
            where=where,
            digits=shown,
        ) from error
    if birth_date > today:
        raise _refuse(
            _("The birth date in the ID number (%(where)s) is %(date)s, which is in the future."),
            "invalid_id_birth_date",
            where=where,
            date=birth_date.isoformat(),
        )
    if birth_date < EARLIEST_BIRTH:
        raise _refuse(
            _("The birth date in the ID number (%(where)s) is %(date)s, too long ago to be right."),
            "invalid_id_birth_date",
            where=where,
            date=birth_date.isoformat(),
        )
    return birth_date


def parse_resident_id(value, today: datetime.date | None = None) -> ResidentId:
    """The 18-character number with its birth date and sex, or a ValidationError naming the wrong part.
    `today` (the local date) may be given by a caller that parses many numbers."""
    number = normalise(value)
    if not number:
        raise _refuse(_("Enter the resident ID number."), "invalid_id_empty")
    _check_characters(number)
    today = today or timezone.localdate()
    upgraded = len(number) == 15
    if upgraded:
        birth_date = _birth_date("19" + number[6:12], number[6:12], today, fifteen=True)
        number = upgrade_15_to_18(number)
    else:
        birth_date = _birth_date(number[6:14], number[6:14], today, fifteen=False)
    if check_character(number[:17]) != number[17]:
        raise _refuse(
            _(
                "The last character of the ID number (the check character) does not fit the 17 digits before it: "
                "a digit is probably mistyped or two are swapped. Check each one against the ID card."
            ),
            "invalid_id_check_digit",
        )
    sex = "M" if int(number[16]) % 2 == 1 else "F"
    return ResidentId(number=number, birth_date=birth_date, sex=sex, upgraded_from_15=upgraded)


def validate_resident_id(value: str) -> None:
    parse_resident_id(value)


def make_resident_id(region: str, birth_date: datetime.date, sequence: int) -> str:
    """A valid number from its parts: for the demo data, the roster template and the benchmarks."""
    body = f"{region}{birth_date:%Y%m%d}{sequence:03d}"
    return body + check_character(body)


def mask_resident_id(number: str) -> str:
    """First 6 and last 4, as on a receipt: 110105********1234."""
    if not number or len(number) < 10:
        return "*" * len(number or "")
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(phone: str) -> str:
    if not phone or len(phone) < 7:
        return "*" * len(phone or "")
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def upgrade_note(resident: ResidentId) -> str:
    """What a person is told when the 15-digit number they typed was taken as its 18-digit form."""
    return gettext(
        "The old 15-digit ID number was upgraded to its 18-digit form %(number)s (GB 11643); "
        "that is the number on file from now on."
    ) % {"number": mask_resident_id(resident.number)}


class ResidentIdField(forms.CharField):
    """A form field for a resident ID number: it accepts what people type (spaces, hyphens, full-width
    characters, a lowercase x, an old 15-digit number), counts its length limit on the normalised number,
    and cleans to the 18-character number. `upgrade_note` says when a 15-digit number was upgraded."""

    def __init__(self, *, validate: bool = True, **kwargs):
        kwargs.setdefault("max_length", MAX_LENGTH)
        self.validate_number = validate
        self.upgrade_note = ""
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)  # the browser must not cut "110105 19491231 002X" short
        attrs.update(autocomplete="off", spellcheck="false", autocapitalize="characters")
        return attrs

    def to_python(self, value):
        return normalise(super().to_python(value))

    def clean(self, value):
        self.upgrade_note = ""
        number = super().clean(value)
        if not number or not self.validate_number:
            return number
        resident = parse_resident_id(number)
        if resident.upgraded_from_15:
            self.upgrade_note = upgrade_note(resident)
        return resident.number

    def validate(self, value):
        super().validate(value)
        if self.validate_number and value and len(value) > MAX_LENGTH:
            parse_resident_id(value)  # names the wrong part instead of a bare length message


def upgrade_notes(form) -> list[str]:
    """The notes of every ID number field of a cleaned form whose 15-digit number was upgraded."""
    return [field.upgrade_note for field in form.fields.values() if getattr(field, "upgrade_note", "")]


def tell_upgrades(request, form) -> None:
    """After a form is valid: tell the person each 15-digit number that was taken as its 18-digit form."""
    for note in upgrade_notes(form):
        messages.info(request, note)
