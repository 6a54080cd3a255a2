"""The tests' own check-character oracles (tests/oracles.py) against the standards' published examples, and the
portal's implementations against the oracles: neither side computes the other's expected value."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.models import validate_credit_code
from partners.simulator import luhn_check_digit, luhn_valid
from sbcard.idnumbers import check_character
from tests import oracles


def test_the_oracles_reproduce_the_published_examples():
    assert oracles.with_check(oracles.GB11643_EXAMPLE[:17]) == "11010519491231002X"  # GB 11643
    assert oracles.resident_id("110105", datetime.date(1949, 12, 31), 2) == oracles.GB11643_EXAMPLE
    assert oracles.credit_code(oracles.GB32100_EXAMPLE[:17]) == "91350100M000100Y43"  # GB 32100
    assert oracles.with_luhn(oracles.LUHN_EXAMPLE[:-1]) == "79927398713"  # the Luhn formula's worked example
    assert [oracles.gb11643_weight(i) for i in range(1, 18)] == [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"[0-9]{17}", fullmatch=True))
def test_the_portals_gb11643_check_character_is_the_oracles(body):
    assert check_character(body) == oracles.gb11643_check(body)


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"[0-9NY][0-9]{7}[0-9ABCDEFGHJKLMNPQRTUWXY]{9}", fullmatch=True))
def test_credit_codes_are_judged_as_gb32100_says(body):
    code = oracles.credit_code(body)
    validate_credit_code(code)  # accepted, whether the registrar is a digit or a letter (N2..., Y1...)
    for wrong in oracles.USCC_CHARACTERS:
        if wrong != code[-1]:
            with pytest.raises(ValidationError):
                validate_credit_code(code[:-1] + wrong)


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"[0-9]{18}", fullmatch=True))
def test_the_bank_simulators_account_numbers_pass_the_luhn_formula(payload):
    assert luhn_check_digit(payload) == oracles.luhn_check(payload)
    number = oracles.with_luhn(payload)
    assert luhn_valid(number)
    assert not any(luhn_valid(number[:-1] + digit) for digit in "0123456789" if digit != number[-1])


def test_the_published_examples_pass_the_portals_own_checks():
    validate_credit_code(oracles.GB32100_EXAMPLE)
    assert luhn_valid(oracles.LUHN_EXAMPLE)
    assert check_character(oracles.GB11643_EXAMPLE[:17]) == "X"
