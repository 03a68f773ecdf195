import datetime as dt

import pytest
from hypothesis import given, strategies as st

from booth_common.validation import (ValidationError, id_check_char, validate_free_text, validate_mobile,
                              validate_name, validate_resident_id)

TODAY = dt.date(2026, 11, 25)
# A structurally valid number: Beijing Chaoyang, born 1990-03-07, serial 123 (odd → male).
GOOD_ID = "11010519900307123" + id_check_char("11010519900307123")


def test_good_id_number_derives_birth_date_and_sex():
    rid = validate_resident_id(GOOD_ID, today=TODAY)
    assert rid.birth_date == dt.date(1990, 3, 7)
    assert rid.sex == "male"
    assert rid.age_on(TODAY) == 36


def test_lower_case_x_is_accepted_and_normalised():
    # find a 17-digit body whose check char is X
    body = next(f"1101051990030{n}{s:03d}" for n in "789" for s in range(1000)
                if id_check_char(f"1101051990030{n}{s:03d}") == "X")
    assert validate_resident_id(body + "x", today=TODAY).number == body + "X"


@pytest.mark.parametrize("raw, code", [
    ("", "required"),
    ("11010519900307123", "length"),
    ("1101051990030712345", "length"),
    ("11010519900307A23X", "characters"),
    ("99010519900307123" + "0", "region"),
    ("11010519901307123" + id_check_char("11010519901307123"), "birth_date"),
    ("11010520300307123" + id_check_char("11010520300307123"), "birth_date"),
    ("11010520150307123" + id_check_char("11010520150307123"), "too_young"),
    ("11010519300307123" + id_check_char("11010519300307123"), "too_old"),
])
def test_bad_id_numbers_get_a_specific_reason(raw, code):
    with pytest.raises(ValidationError) as err:
        validate_resident_id(raw, today=TODAY)
    assert err.value.code == code
    assert err.value.zh and err.value.en


@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2008, 12, 31)),
       st.integers(min_value=0, max_value=999), st.sampled_from("0123456789X"))
def test_checksum_accepts_exactly_the_gb11643_check_character(birth, serial, last):
    body = f"110105{birth:%Y%m%d}{serial:03d}"
    number = body + last
    try:
        validate_resident_id(number, today=TODAY)
        accepted = True
    except ValidationError as exc:
        assert exc.code == "checksum"
        accepted = False
    assert accepted == (last == id_check_char(body))


@given(st.integers(min_value=0, max_value=16), st.integers(min_value=0, max_value=9))
def test_any_single_digit_change_is_caught(position, delta):
    digits = list(GOOD_ID)
    if not digits[position].isdigit() or delta == 0:
        return
    digits[position] = str((int(digits[position]) + delta) % 10)
    changed = "".join(digits)
    with pytest.raises(ValidationError):
        validate_resident_id(changed, today=TODAY)


@pytest.mark.parametrize("raw, expected", [
    ("13812345678", "13812345678"),
    ("+86 138 1234 5678", "13812345678"),
    ("138-1234-5678", "13812345678"),
    ("0086 19912345678", "19912345678"),
])
def test_mobile_numbers_are_normalised(raw, expected):
    assert validate_mobile(raw) == expected


@pytest.mark.parametrize("raw, code", [
    ("", "required"), ("1381234567", "length"), ("138123456789", "length"), ("12812345678", "prefix"),
    ("23812345678", "prefix"), ("1381234567a", "characters"), ("１３８１２３４５６７８", "characters"),
])
def test_bad_mobile_numbers(raw, code):
    with pytest.raises(ValidationError) as err:
        validate_mobile(raw)
    assert err.value.code == code


@pytest.mark.parametrize("raw, expected", [
    ("王小明", "王小明"), (" 李娜 ", "李娜"), ("买买提•艾力", "买买提·艾力"), ("阿依古丽・吐尔逊", "阿依古丽·吐尔逊"),
    ("John Smith", "John Smith"), ("䶮子", "䶮子"),
])
def test_good_names(raw, expected):
    assert validate_name(raw) == expected


@pytest.mark.parametrize("raw, code", [
    ("", "required"), ("王", "too_short"), ("王" * 31, "too_long"), ("·王明", "dot_position"),
    ("王··明", "dot_position"), ("王明·", "dot_position"), ("王明1", "characters"), ("王<b>", "characters"),
])
def test_bad_names(raw, code):
    with pytest.raises(ValidationError) as err:
        validate_name(raw)
    assert err.value.code == code


def test_free_text_limits():
    assert validate_free_text("  你好 ") == "你好"
    with pytest.raises(ValidationError) as err:
        validate_free_text("字" * 201)
    assert err.value.code == "too_long"
    with pytest.raises(ValidationError) as err:
        validate_free_text("a\x00b")
    assert err.value.code == "control_chars"
    with pytest.raises(ValidationError) as err:
        validate_free_text("  ", required=True)
    assert err.value.code == "required"
