"""Cross-check: the kiosk's identity-number validator against python-stdnum's ``cn.ric`` on generated numbers.

They must agree, except where the kiosk differs on purpose (docs/registration.md, "Identity numbers"):

1. birth-date rules: the kiosk refuses a birth date before 1900 or after today; stdnum takes any real date;
2. age limits: the kiosk refuses a worker under ``min_age`` or over ``max_age``; stdnum knows no age;
3. county and birth year: stdnum refuses a county code outside the years the county existed, taken
   against the birth year; the kiosk does not, since a number is issued (1985, 1999 or at birth) under
   the county of the household registration of that day, which may be a county set up after the birth;
4. permit kinds: stdnum knows neither residence permits for Hong Kong, Macao and Taiwan residents
   (830000 is not in its list; 810000 and 820000 only for births from 1997 and 1999) nor the 2023
   foreign permanent residence ID (first digit 9); the kiosk accepts both, each by its own rule.

Each difference is asserted in its direction where it happens, and shown on a fixed example below.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings, strategies as st
from stdnum import numdb
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from booth_common.validation import DocumentKind, ValidationError, document_kind, id_check_char, validate_resident_id

TODAY = dt.date(2026, 11, 25)
MIN_AGE, MAX_AGE = 16, 80


def _county_codes() -> list[str]:
    """Every six-digit code with a county in stdnum's list (walked from its prefix tree)."""
    codes = []
    for _length, low, high, _props, children in numdb.get("cn/loc").prefixes:
        for _clength, clow, chigh, cprops, _ in children:
            if low == high and clow == chigh and "county" in cprops:
                codes.append(low + clow)
    return sorted(codes)


COUNTY_CODES = _county_codes()


def kiosk_accepts(number: str) -> bool:
    try:
        validate_resident_id(number, today=TODAY, min_age=MIN_AGE, max_age=MAX_AGE)
    except ValidationError:
        return False
    return True


def stdnum_accepts(number: str) -> bool:
    try:
        return ric.is_valid(number)
    except KeyError:
        # stdnum 2.2 raises KeyError (not its InvalidComponent) for an unknown county in a known
        # province, e.g. 110199: a refusal all the same.
        return False


def stdnum_place_fits_birth_year(number: str) -> bool:
    try:
        ric.get_birth_place(number)
    except (StdnumError, KeyError):
        return False
    return True


def _one_digit_off(code: str, position: int, digit: int) -> str:
    return code[:position] + str(digit) + code[position + 1:]


digits = st.text(alphabet="0123456789", min_size=1, max_size=1)
regions = st.one_of(
    st.sampled_from(COUNTY_CODES),
    st.builds(_one_digit_off, st.sampled_from(COUNTY_CODES), st.integers(0, 5), st.integers(0, 9)),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.sampled_from(["810000", "820000", "830000"]),
    st.text(alphabet="0123456789", min_size=5, max_size=5).map(lambda rest: "9" + rest),
)
births = st.one_of(
    st.dates(min_value=dt.date(1880, 1, 1), max_value=dt.date(2035, 12, 31)).map(lambda d: f"{d:%Y%m%d}"),
    st.text(alphabet="0123456789", min_size=8, max_size=8),
)
serials = st.text(alphabet="0123456789", min_size=3, max_size=3)


@st.composite
def numbers(draw: st.DrawFn) -> str:
    first17 = draw(regions) + draw(births) + draw(serials)
    last = draw(st.one_of(st.just(id_check_char(first17)), st.sampled_from("0123456789X")))
    return first17 + last


def _birth(number: str) -> dt.date | None:
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def _age(birth: dt.date) -> int:
    return TODAY.year - birth.year - ((TODAY.month, TODAY.day) < (birth.month, birth.day))


@settings(max_examples=1500, deadline=None)
@given(numbers())
def test_kiosk_and_stdnum_agree_except_where_the_kiosk_differs_on_purpose(number):
    kiosk, std = kiosk_accepts(number), stdnum_accepts(number)
    check_ok = number[17] == id_check_char(number[:17])
    kind = document_kind(number)
    if kind is DocumentKind.FOREIGN_PERMANENT_RESIDENCE:
        # 4. permit kinds: no province code starts with 9; the kiosk checks what is verified, the check character.
        assert not std
        assert kiosk == check_ok
        return
    birth = _birth(number)
    if birth is None:
        assert not kiosk and not std  # not a real date: both refuse
        return
    if birth.year < 1900 or birth > TODAY or not MIN_AGE <= _age(birth) <= MAX_AGE:
        assert not kiosk  # 1. birth-date rules and 2. age limits: the kiosk is stricter
        return
    if kind is DocumentKind.HMT_RESIDENCE_PERMIT:
        assert kiosk == check_ok  # 4. permit kinds: accepted on the GB 11643 check
        assert kiosk or not std
        return
    if check_ok and not stdnum_place_fits_birth_year(number) and std != kiosk:
        # 3. county and birth year: only stdnum ties them
        assert kiosk and not std
        return
    assert kiosk == std


def _id(first17: str) -> str:
    return first17 + id_check_char(first17)


@pytest.mark.parametrize("number, kiosk, std, why", [
    (_id("11010518991231001"), False, True, "1. born before 1900"),
    (_id("11010520300101001"), False, True, "1. born in the future"),
    (_id("11010520150307001"), False, True, "2. under the minimum age"),
    (_id("11010519300307001"), False, True, "2. over the maximum age"),
    (_id("11011219900307001"), True, False, "3. 通州区 exists since 1997; a number of someone born 1990"),
    (_id("83000019900307001"), True, False, "4. Taiwan residents' residence permit"),
    (_id("81000019850307001"), True, False, "4. Hong Kong residents' residence permit, born before 1997"),
    (_id("93100084019800101"), True, False, "4. foreign permanent residence ID (2023)"),
    (_id("11010519900307001"), True, True, "no difference: a good resident ID"),
    (_id("11019919900307001"), False, False, "no difference: 110199 names no county (stdnum: KeyError)"),
    (_id("11010319900307001"), True, True, "no difference: 崇文区, abolished 2010, born before it was"),
])
def test_each_documented_difference_happens_as_documented(number, kiosk, std, why):
    assert (kiosk_accepts(number), stdnum_accepts(number)) == (kiosk, std), why


def test_the_list_holds_abolished_counties_and_the_kiosk_uses_it():
    assert len(COUNTY_CODES) > 6000
    assert {"110103", "110104", "110110"} <= set(COUNTY_CODES)  # 崇文区, 宣武区, 燕山区: abolished
    assert all(kiosk_accepts(_id(code + "19900307001")) for code in ("110103", "110104", "110110"))


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_check_character_is_stdnums_for_every_17_digits(first17):
    # id_check_char multiplies the digits' ASCII bytes (the server checks every registration with it);
    # stdnum computes the same MOD 11-2 character its own way (it takes the number with a check digit).
    assert id_check_char(first17) == ric.calc_check_digit(first17 + "0")


def test_check_character_of_non_ascii_digits_is_unchanged():
    # Full-width or other Unicode digits never reach it from validate_resident_id (refused first), but a
    # caller passing them gets what int() makes of each, as before the byte-wise shortcut.
    assert id_check_char("１１０１０５１９９００３０７１２３") == id_check_char("11010519900307123")
    with pytest.raises(ValueError):
        id_check_char("1101051990030712")
