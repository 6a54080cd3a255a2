"""Resident ID numbers (公民身份号码, GB 11643-1999).

18 characters: a 6-digit region code, the birth date (YYYYMMDD), a 3-digit sequence whose last digit
is odd for men and even for women, and a check character (0-9 or X, ISO 7064 MOD 11-2).
15-digit numbers issued before 1999 are upgraded by adding "19" to the year and a check character.

The region code is where the number was first issued; it may no longer exist or may postdate the
birth year, so a number is never refused for its region alone. That is why this module does not call
`stdnum.cn.ric.validate`, which checks the region against its own list.
"""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.cn.ric import calc_check_digit

EIGHTEEN = re.compile(r"^\d{17}[\dX]$")
FIFTEEN = re.compile(r"^\d{15}$")
EARLIEST_BIRTH = datetime.date(1890, 1, 1)


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: datetime.date
    sex: str  # "M" or "F"
    upgraded_from_15: bool

    @property
    def region_code(self) -> str:
        return self.number[:6]


def compact(value: str) -> str:
    return re.sub(r"[\s-]", "", (value or "")).upper()


def upgrade_15_to_18(number15: str) -> str:
    body = number15[:6] + "19" + number15[6:]
    return body + calc_check_digit(body)


def parse_resident_id(value: str, today: datetime.date | None = None) -> ResidentId:
    """Return the normalised 18-character number with its birth date and sex, or raise ValidationError.
    `today` (the local date) may be given by a caller that parses many numbers."""
    number = compact(value)
    upgraded = False
    if FIFTEEN.match(number):
        number = upgrade_15_to_18(number)
        upgraded = True
    if not EIGHTEEN.match(number):
        raise ValidationError(
            _("A resident ID number has 18 characters: 17 digits, then a digit or X (15 digits for an old card)."),
            code="invalid_id_format",
        )
    try:
        birth_date = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as error:
        raise ValidationError(
            _("The birth date inside the ID number (characters 7-14) is not a real date."),
            code="invalid_id_birth_date",
        ) from error
    if birth_date > (today or timezone.localdate()) or birth_date < EARLIEST_BIRTH:
        raise ValidationError(
            _("The birth date inside the ID number (characters 7-14) is in the future or too long ago."),
            code="invalid_id_birth_date",
        )
    if calc_check_digit(number[:17]) != number[17]:
        raise ValidationError(
            _("The last character of the ID number (the check digit) does not match; please check each digit."),
            code="invalid_id_check_digit",
        )
    sex = "M" if int(number[16]) % 2 == 1 else "F"
    return ResidentId(number=number, birth_date=birth_date, sex=sex, upgraded_from_15=upgraded)


def validate_resident_id(value: str) -> None:
    parse_resident_id(value)


def make_resident_id(region: str, birth_date: datetime.date, sequence: int) -> str:
    """Build a valid number; used by the demo data, tests and benchmarks."""
    body = f"{region}{birth_date:%Y%m%d}{sequence:03d}"
    return body + calc_check_digit(body)


def mask_resident_id(number: str) -> str:
    """First 6 and last 4, as on a receipt: 110105********1234."""
    if not number or len(number) < 10:
        return "*" * len(number or "")
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(phone: str) -> str:
    if not phone or len(phone) < 7:
        return "*" * len(phone or "")
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
