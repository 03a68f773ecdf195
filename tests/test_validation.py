import datetime as dt

import pytest
from hypothesis import given, strategies as st

from booth_common.validation import (DocumentKind, ValidationError, document_kind, id_check_char, validate_free_text,
                              validate_mobile, validate_name, validate_resident_id)

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
    ("11019919900307123" + id_check_char("11019919900307123"), "region"),
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


def _id(first17: str) -> str:
    return first17 + id_check_char(first17)


def _wrong(first17: str) -> str:
    """The 17 digits with a check character that is not theirs."""
    return first17 + ("0" if id_check_char(first17) != "0" else "1")


@pytest.mark.parametrize("number, kind, birth, sex", [
    (_id("11010519900307123"), DocumentKind.RESIDENT_ID, dt.date(1990, 3, 7), "male"),
    # 崇文区, merged into 东城区 in 2010: numbers issued under it stay valid for life
    (_id("11010319800512002"), DocumentKind.RESIDENT_ID, dt.date(1980, 5, 12), "female"),
    (_id("81000019850101003"), DocumentKind.HMT_RESIDENCE_PERMIT, dt.date(1985, 1, 1), "male"),
    (_id("82000019990420004"), DocumentKind.HMT_RESIDENCE_PERMIT, dt.date(1999, 4, 20), "female"),
    (_id("83000019700101005"), DocumentKind.HMT_RESIDENCE_PERMIT, dt.date(1970, 1, 1), "male"),
    (_id("93100084019800101"), DocumentKind.FOREIGN_PERMANENT_RESIDENCE, None, None),
])
def test_each_document_kind_is_accepted_by_its_own_rule(number, kind, birth, sex):
    rid = validate_resident_id(number, today=TODAY)
    assert (rid.number, rid.kind, rid.birth_date, rid.sex) == (number, kind, birth, sex)
    assert document_kind(number) is kind


def test_a_foreign_permanent_residence_id_reads_no_birth_date_so_no_age_limit_applies():
    # Its middle digits' layout is not verified (booth_common/validation.py), so nothing is read from them.
    for first17 in ("90000000000000000", "99999999999999999", "91562019991399999"):
        rid = validate_resident_id(_id(first17), today=TODAY, min_age=16, max_age=80)
        assert rid.age_on(TODAY) is None


# Every refusal, in both languages, with the digits it read where it names them.
@pytest.mark.parametrize("raw, zh, en", [
    ("", "请输入身份证号", "Please enter your ID number"),
    ("1101051990", "身份证号应为18位，现为10位", "An ID number has 18 characters, this one has 10"),
    ("11010519900307A23X", "身份证号前17位须为数字，末位为数字或X",
     "The first 17 characters must be digits, the last a digit or X"),
    (_id("11019919900307123"), "身份证号第1–6位的地区代码不存在：110199",
     "Characters 1–6 of the ID number, 110199, are not the code of any county, past or present"),
    (_id("81000119900307123"), "身份证号第1–6位的地区代码不存在：810001",
     "Characters 1–6 of the ID number, 810001, are not the code of any county, past or present"),
    (_id("11010519901307123"), "身份证号第7–14位的出生日期无效：19901307",
     "The ID number's characters 7–14 (19901307) are not a real birth date"),
    (_id("81000018991231123"), "居住证号码第7–14位的出生日期无效：18991231",
     "The residence permit number's characters 7–14 (18991231) are not a real birth date"),
    (_wrong("11010519900307123"), "身份证号校验位不符，请核对每一位",
     "The ID number's check character does not match; please check each character"),
    (_wrong("83000019900307123"), "居住证号码校验位不符，请核对每一位",
     "The residence permit number's check character does not match; please check each character"),
    (_wrong("91010519900307123"), "永居证号码校验位不符，请核对每一位",
     "The permanent residence ID number's check character does not match; please check each character"),
    (_id("11010520150307123"), "入会须年满16周岁", "Members must be at least 16"),
    (_id("81000020150307123"), "入会须年满16周岁", "Members must be at least 16"),
    (_id("82000019300307123"), "入会年龄上限为80周岁", "The age limit for joining is 80"),
])
def test_each_id_refusal_says_why_in_both_languages(raw, zh, en):
    with pytest.raises(ValidationError) as err:
        validate_resident_id(raw, today=TODAY)
    assert (err.value.zh, err.value.en) == (zh, en)


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
