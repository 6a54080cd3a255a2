"""Resident ID numbers judged as GB 11643 says, against outside truth: the standard's own example, an independent
implementation written from the standard's weights (tests/oracles.py), and python-stdnum's validator."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from sbcard.idnumbers import (
    ResidentIdField,
    canonical,
    mask_phone,
    mask_resident_id,
    parse_resident_id,
    upgrade_notes,
)
from tests import oracles


def refusal(value, language: str = "zh-hans") -> ValidationError:
    with translation.override(language), pytest.raises(ValidationError) as error:
        parse_resident_id(value)
    return error.value


def message(error: ValidationError, language: str) -> str:
    with translation.override(language):
        return " ".join(error.messages)


def test_the_standards_own_example_is_accepted():
    resident = parse_resident_id(oracles.GB11643_EXAMPLE)

    assert resident.number == "11010519491231002X"
    assert resident.birth_date == datetime.date(1949, 12, 31)
    assert resident.sex == "F"  # sequence 002: even
    assert resident.region_code == "110105"
    assert not resident.upgraded_from_15


def test_the_standards_example_with_any_other_check_character_is_refused():
    for wrong in oracles.wrong_check_characters(oracles.GB11643_EXAMPLE):
        assert refusal(wrong).code == "invalid_id_check_digit", wrong


def test_the_old_15_digit_number_is_upgraded_to_the_standards_18_digit_number():
    resident = parse_resident_id(oracles.GB11643_EXAMPLE_15)

    assert resident.number == "11010519491231002X"  # not ...0022, as the portal once made it
    assert resident.upgraded_from_15
    assert canonical(oracles.GB11643_EXAMPLE_15) == "11010519491231002X"


@settings(max_examples=300, deadline=None)
@given(
    region=st.from_regex(r"[1-8][0-9]{5}", fullmatch=True),
    birth=st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2024, 12, 31)),
    sequence=st.integers(min_value=0, max_value=999),
)
def test_every_number_the_oracle_makes_is_accepted_and_every_other_check_character_refused(region, birth, sequence):
    number = oracles.resident_id(region, birth, sequence)

    resident = parse_resident_id(number, today=datetime.date(2025, 1, 1))

    assert resident.number == number and resident.birth_date == birth
    assert resident.sex == ("M" if sequence % 2 else "F")
    for wrong in oracles.wrong_check_characters(number):
        with pytest.raises(ValidationError) as error:
            parse_resident_id(wrong, today=datetime.date(2025, 1, 1))
        assert error.value.code == "invalid_id_check_digit"


@settings(max_examples=200, deadline=None)
@given(body=st.from_regex(r"[0-9]{17}", fullmatch=True), last=st.sampled_from("0123456789X"))
def test_agrees_with_python_stdnum_wherever_stdnum_knows_the_region(body, last):
    # stdnum's is_valid also checks the birth date and the region against its own list; where it says yes,
    # we must too, and where the oracle says the check character is wrong, we must refuse.
    number = body + last
    today = datetime.date(2030, 1, 1)
    try:
        stdnum_says_valid = ric.is_valid(number)
    except KeyError:  # stdnum's region table lacks a county for some codes: it does not know them
        stdnum_says_valid = False
    if stdnum_says_valid:
        assert parse_resident_id(number, today=today).number == number
    if not oracles.is_valid_resident_id(number):
        with pytest.raises(ValidationError):
            parse_resident_id(number, today=today)


def test_real_looking_numbers_stdnum_accepts_are_accepted():
    for number in ["11010519491231002X", "110101199003077336", "310104198909094820", "440304198512011230"]:
        assert ric.is_valid(number) and oracles.is_valid_resident_id(number), number  # the truth, from outside
        assert parse_resident_id(number).number == number


def test_what_people_type_is_normalised_before_it_is_judged():
    for typed in [
        "110105 19491231 002X",
        "110105-19491231-002x",
        "１１０１０５１９４９１２３１００２Ｘ",  # full-width, from a Chinese input method
        "１１０１０５　１９４９１２３１　００２ｘ",  # full-width spaces and a full-width lowercase x
        " 11010519491231002x ",
        "110105491231002",  # the old 15-digit number
    ]:
        assert parse_resident_id(typed).number == "11010519491231002X", typed


def test_a_number_is_never_refused_for_its_region_alone():
    number = oracles.resident_id("999999", datetime.date(1960, 3, 3), 5)  # no such region
    assert not ric.is_valid(number)  # stdnum refuses it for the region

    assert parse_resident_id(number).number == number


@time_machine.travel(datetime.datetime(2026, 11, 27, 12, tzinfo=datetime.UTC))
def test_each_refusal_names_the_wrong_part_in_chinese_and_english():
    cases = [
        ("", "invalid_id_empty", ["公民身份号码"], ["ID number"]),
        ("1101051949123I002X", "invalid_id_character", ["第14位", "I"], ["Character 14", "I"]),
        ("110105X94912310025", "invalid_id_character", ["第7位"], ["Character 7"]),
        ("1101051949123100", "invalid_id_length", ["18位", "16"], ["18 characters", "16"]),
        (oracles.GB11643_EXAMPLE[:17] + "1", "invalid_id_check_digit", ["校验码"], ["check character"]),
        (
            oracles.with_check("11010519490231002"),
            "invalid_id_birth_date",
            ["第7至14位", "19490231"],
            ["characters 7-14", "19490231"],
        ),
        ("110105490231002", "invalid_id_birth_date", ["第7至12位", "490231"], ["characters 7-12", "490231"]),
        (
            oracles.resident_id("110105", datetime.date(2027, 1, 1), 1),
            "invalid_id_birth_date",
            ["2027-01-01"],
            ["future"],
        ),
        (oracles.resident_id("110105", datetime.date(1850, 1, 1), 1), "invalid_id_birth_date", ["1850"], ["1850"]),
    ]
    for value, code, chinese, english in cases:
        error = refusal(value)
        assert error.code == code, value
        zh, en = message(error, "zh-hans"), message(error, "en")
        assert all(part in zh for part in chinese), zh
        assert all(part in en for part in english), en
        assert zh != en


def test_the_form_field_counts_its_length_on_the_normalised_number_and_says_when_it_upgraded():
    from django import forms

    class Form(forms.Form):
        id_number = ResidentIdField()

    spaced = Form({"id_number": "1101 0519 4912 3100 2X"})  # 22 characters typed, 18 meant
    assert spaced.is_valid(), spaced.errors
    assert spaced.cleaned_data["id_number"] == "11010519491231002X"
    assert "maxlength" not in str(spaced["id_number"])  # the browser does not cut the typing short
    assert upgrade_notes(spaced) == []

    old = Form({"id_number": "110105491231002"})
    assert old.is_valid() and old.cleaned_data["id_number"] == "11010519491231002X"
    with translation.override("zh-hans"):
        (note,) = upgrade_notes(old)
    assert "15" in note and "18" in note and "110105********002X" in note

    too_long = Form({"id_number": "110105194912310021X"})
    assert not too_long.is_valid() and "19" in too_long.errors["id_number"][0]


def test_masks_id_numbers_and_phones():
    assert mask_resident_id("11010519491231002X") == "110105********002X"
    assert mask_phone("13800138000") == "138****8000"
