"""Independent implementations of the check characters the portal relies on, written here from the standards'
own text, not from the code under test: the tests and the factories make and judge numbers with these, so a
wrong check in the portal makes the whole suite fail instead of agreeing with itself.

- Resident ID numbers, GB 11643-1999 §6: ISO 7064 MOD 11-2. The check character a18 satisfies
  (Σ ai·Wi + a18) ≡ 1 (mod 11) over i = 1..17 with Wi = 2^(18-i) mod 11, X standing for 10.
- Unified social credit codes, GB 32100-2015 §5: 18 characters from the 31-character set 0-9 and
  ABCDEFGHJKLMNPQRTUWXY (no I O S V Z), letters worth 10-30 in that order; the check character C18 is
  31 - (Σ Ci·Wi mod 31) over i = 1..17 with Wi = 3^(i-1) mod 31, 31 written as 0.
- Bank card numbers, ISO/IEC 7812-1 (the Luhn formula): from the right, every second digit
  starting with the check digit's neighbour is doubled (digits of the product added), and the check digit
  makes the total a multiple of 10.
"""

import datetime

# GB 11643 ------------------------------------------------------------------------------------


def gb11643_weight(position: int) -> int:
    """W_i for position i (1-based, 1..17): 2^(18-i) mod 11, as the standard defines it."""
    return pow(2, 18 - position, 11)


def gb11643_check(body: str) -> str:
    """The a18 that makes (Σ a_i·W_i + a18) ≡ 1 (mod 11), found by trying the eleven candidates."""
    assert len(body) == 17 and body.isdigit()
    total = sum(int(digit) * gb11643_weight(position) for position, digit in enumerate(body, start=1))
    for value in range(11):
        if (total + value) % 11 == 1:
            return "X" if value == 10 else str(value)
    raise AssertionError("unreachable: one of 0..10 always fits")


def with_check(body: str) -> str:
    return body + gb11643_check(body)


def resident_id(region: str, birth_date: datetime.date, sequence: int) -> str:
    return with_check(f"{region}{birth_date:%Y%m%d}{sequence:03d}")


def is_valid_resident_id(number: str) -> bool:
    return len(number) == 18 and number[:17].isdigit() and number.isascii() and gb11643_check(number[:17]) == number[17]


def wrong_check_characters(number: str) -> list[str]:
    """Every other check character: the ten numbers that differ from a valid one only in its last place."""
    return [number[:17] + char for char in "0123456789X" if char != number[17]]


# The standard's own example (GB 11643-1999): a woman born 31 December 1949 in Chaoyang District, Beijing
# (region 110105, sequence 002: even, so female), check character X.
GB11643_EXAMPLE = "11010519491231002X"
GB11643_EXAMPLE_15 = "110105491231002"  # the same person's old 15-digit number

# GB 32100 ------------------------------------------------------------------------------------

USCC_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc_check(body: str) -> str:
    assert len(body) == 17
    total = sum(USCC_CHARACTERS.index(char) * pow(3, position - 1, 31) for position, char in enumerate(body, 1))
    value = 31 - total % 31
    return USCC_CHARACTERS[0 if value == 31 else value]


def credit_code(body: str) -> str:
    return body + uscc_check(body)


# The example code published with GB 32100-2015.
GB32100_EXAMPLE = "91350100M000100Y43"

# Luhn (ISO/IEC 7812-1) -----------------------------------------------------------------------------


def luhn_check(payload: str) -> str:
    total = 0
    for index, char in enumerate(reversed(payload)):
        digit = int(char)
        if index % 2 == 0:  # the payload's rightmost digit sits next to the check digit: it is doubled
            digit = sum(divmod(digit * 2, 10))
        total += digit
    return str(-total % 10)


def with_luhn(payload: str) -> str:
    return payload + luhn_check(payload)


def is_luhn_valid(number: str) -> bool:
    return number.isdigit() and len(number) > 1 and luhn_check(number[:-1]) == number[-1]


# The textbook worked example of the Luhn formula: payload 7992739871, check digit 3.
LUHN_EXAMPLE = "79927398713"
