"""统一社会信用代码 (GB 32100) validation, cross-checked with python-stdnum over generated codes."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import ValidationError as StdnumError

from booth_common.validation import (USCC_ALPHABET, USCC_KINDS, ValidationError, uscc_check_char,
                                     validate_uscc)

REGIONS = ["110000", "110105", "310115", "440300", "440305", "500000", "320102", "510107", "650102"]
# Authorities written with a digit: python-stdnum accepts only digits in characters 1–8, so the
# cross-check below covers these; A, N and Y are checked against the check character alone.
DIGIT_AUTHORITIES = [(a, k) for a, kinds in USCC_KINDS.items() if a.isdigit() for k in kinds]


@st.composite
def good_codes(draw, authorities=DIGIT_AUTHORITIES):
    authority, kind = draw(st.sampled_from(authorities))
    body = authority + kind + draw(st.sampled_from(REGIONS)) + "".join(
        draw(st.lists(st.sampled_from(USCC_ALPHABET), min_size=9, max_size=9)))
    return body + uscc_check_char(body)


def test_a_published_example_is_accepted():
    assert validate_uscc("91110000600037341L") == "91110000600037341L"


def test_spaces_dashes_lower_case_and_full_width_are_normalised():
    assert validate_uscc(" 9111 0000-6000 3734 1l ") == "91110000600037341L"
    assert validate_uscc("９１１１００００６０００３７３４１Ｌ") == "91110000600037341L"


@given(st.lists(st.sampled_from(USCC_ALPHABET), min_size=17, max_size=17))
def test_the_check_character_is_the_one_python_stdnum_computes(chars):
    first17 = "".join(chars)
    assert uscc_check_char(first17) == stdnum_uscc.calc_check_digit(first17 + "0")


@settings(max_examples=300)
@given(good_codes())
def test_generated_codes_are_accepted_by_both(code):
    assert validate_uscc(code) == code == stdnum_uscc.validate(code)


@given(good_codes(authorities=[("A", "1"), ("N", "2"), ("Y", "1")]))
def test_letter_authorities_are_accepted(code):
    assert validate_uscc(code) == code


@settings(max_examples=300)
@given(good_codes(), st.integers(8, 17), st.integers(1, 30))
def test_any_single_change_in_the_organisation_code_or_check_character_is_caught(code, position, shift):
    changed = USCC_ALPHABET[(USCC_ALPHABET.index(code[position]) + shift) % 31]
    wrong = code[:position] + changed + code[position + 1:]
    with pytest.raises(ValidationError) as caught:
        validate_uscc(wrong)
    assert caught.value.code == "checksum"
    with pytest.raises(StdnumError):
        stdnum_uscc.validate(wrong)


@given(good_codes(), st.integers(0, 16))
def test_two_neighbouring_characters_swapped_are_caught(code, i):
    if code[i] == code[i + 1]:
        return
    swapped = code[:i] + code[i + 1] + code[i] + code[i + 2:]
    with pytest.raises(ValidationError):
        validate_uscc(swapped)


@pytest.mark.parametrize("raw, code, zh, en", [
    ("", "required", "请输入", "Please enter"),
    ("9111000060003734", "length", "现为16位", "has 16"),
    ("91110000600O37341L", "excluded_letter", "不使用字母I、O、Z、S、V，此处有：O", "has O"),
    ("9111000060003734SV", "excluded_letter", "S、V", "S, V"),
    ("91110000600037341#", "characters", "只能包含数字和大写字母", "digits and capital letters"),
    ("01110000600037341L", "authority", "登记管理部门代码不存在：0", "registration authority"),
    ("94110000600037341L", "kind", "机构类别代码4", "kind of organisation"),
    ("Y2110000600037341L", "kind", "机构类别代码2", "kind of organisation"),
    ("91990000600037341L", "region", "行政区划码不存在：990000", "990000"),
    ("911100A0600037341L", "region", "110", "administrative division"),
    ("91110000600037341X", "checksum", "校验位不符", "check character"),
])
def test_each_kind_of_mistake_has_its_own_bilingual_message(raw, code, zh, en):
    with pytest.raises(ValidationError) as caught:
        validate_uscc(raw)
    assert (caught.value.field, caught.value.code) == ("uscc", code)
    assert zh in caught.value.zh and en in caught.value.en
