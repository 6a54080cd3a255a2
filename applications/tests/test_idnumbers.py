import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from stdnum.cn import ric

from applications.idnumbers import make_resident_id, mask_phone, mask_resident_id, parse_resident_id


def test_accepts_a_valid_number_and_derives_birth_date_and_sex():
    number = make_resident_id("110105", datetime.date(1985, 6, 15), 123)

    resident = parse_resident_id(number)

    assert resident.number == number
    assert resident.birth_date == datetime.date(1985, 6, 15)
    assert resident.sex == "M"  # sequence 123: the 17th digit 3 is odd


def test_even_sequence_digit_means_female():
    assert parse_resident_id(make_resident_id("110105", datetime.date(1985, 6, 15), 124)).sex == "F"


def test_lower_case_x_and_spaces_are_normalised():
    number = next(
        make_resident_id("110105", datetime.date(1970, 1, 1), seq)
        for seq in range(1000)
        if make_resident_id("110105", datetime.date(1970, 1, 1), seq).endswith("X")
    )
    spaced = f"{number[:6]} {number[6:14]} {number[14:].lower()}"

    assert parse_resident_id(spaced).number == number


def test_refuses_a_wrong_check_digit():
    number = make_resident_id("110105", datetime.date(1985, 6, 15), 123)
    wrong = number[:17] + ("1" if number[17] != "1" else "2")

    with pytest.raises(ValidationError) as error:
        parse_resident_id(wrong)

    assert error.value.code == "invalid_id_check_digit"


@pytest.mark.parametrize("birth", ["19850230", "19851301", "18000101"])
def test_refuses_an_impossible_birth_date(birth):
    body = "110105" + birth + "123"
    number = body + ric.calc_check_digit(body)

    with pytest.raises(ValidationError) as error:
        parse_resident_id(number)

    assert error.value.code == "invalid_id_birth_date"


@time_machine.travel(datetime.datetime(2026, 11, 27, 12, tzinfo=datetime.UTC))
def test_refuses_a_future_birth_date():
    body = "110105" + "20270101" + "123"

    with pytest.raises(ValidationError) as error:
        parse_resident_id(body + ric.calc_check_digit(body))

    assert error.value.code == "invalid_id_birth_date"


@pytest.mark.parametrize("value", ["", "12345", "11010519850615123", "1101051985061512345", "11010519850615123A"])
def test_refuses_malformed_numbers(value):
    with pytest.raises(ValidationError):
        parse_resident_id(value)


def test_upgrades_a_15_digit_number_to_18():
    old = "110105850615123"  # region, YYMMDD, sequence

    resident = parse_resident_id(old)

    assert resident.upgraded_from_15
    assert resident.number == "11010519850615123" + ric.calc_check_digit("11010519850615123")
    assert resident.birth_date == datetime.date(1985, 6, 15)


def test_never_refuses_a_number_for_its_region_alone():
    # 999999 is no region at all; stdnum's own validate() refuses it, we must not.
    number = make_resident_id("999999", datetime.date(1960, 3, 3), 5)
    with pytest.raises(Exception):
        ric.validate(number)

    assert parse_resident_id(number).number == number


def test_masks_id_numbers_and_phones():
    assert mask_resident_id("110105198506151234") == "110105********1234"
    assert mask_phone("13800138000") == "138****8000"
