"""Pure-Python validation of what a worker types: ID number, mobile number, name, free text.

Every failure is a ``ValidationError`` with a field, a machine code and a message in
Chinese and English, so the kiosk can show it and the CLI can print it.

Identity numbers: the kiosk accepts three kinds of document, each told by its number alone
(``document_kind``) and each checked by its own rule (docs/registration.md says why these three):

- 居民身份证 (resident ID card): GB 11643 — a six-digit administrative code that names a county
  in python-stdnum's list (``stdnum/cn/loc.dat``, counties since abolished included: numbers
  issued under them stay valid for life), a real birth date, three serial digits, the MOD 11-2
  check character;
- 港澳台居民居住证 (residence permit for Hong Kong, Macao and Taiwan residents): the same 18
  characters with the address code 810000, 820000 or 830000;
- 外国人永久居留身份证, 2023 version (Foreign Permanent Residence ID Card): 18 characters, the
  first 9, seventeen digits and the MOD 11-2 check character. How the digits in between are
  laid out (country code, birth date) could not be verified from a published rule, so nothing
  is read from them: no birth date, sex or age for this kind.

统一社会信用代码 (unified social credit code, USCC) of an employer, GB 32100-2015: 18 characters from
the digits and the capital letters except I, O, Z, S and V; character 1 the registration authority,
character 2 the kind of organisation registered with it (``USCC_KINDS``), characters 3–8 the
administrative division code of the registering office (GB/T 2260; checked against python-stdnum's
list at any level, province, prefecture or county, past or present), characters 9–17 the
organisation code, character 18 the check character (GB/T 17710, MOD 31 with weights 3^(i-1) mod 31,
python-stdnum's ``stdnum.cn.uscc.calc_check_digit``, which the tests cross-check).
"""

from __future__ import annotations

import datetime as dt
import operator
import re
import threading
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

# GB 11643-1999: weights 2^(17-i) mod 11 and the check-character table.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
# What the weighted sum gains when each digit is taken as its ASCII byte (b"0" is 48) instead of its value.
_ASCII_ZEROS = ord("0") * sum(ID_WEIGHTS)


class DocumentKind(StrEnum):
    """The identity documents whose numbers the kiosk accepts (recorded with each registration)."""

    RESIDENT_ID = "resident_id"
    HMT_RESIDENCE_PERMIT = "hmt_residence_permit"
    FOREIGN_PERMANENT_RESIDENCE = "foreign_permanent_residence"

    @property
    def zh(self) -> str:
        return DOCUMENT_NAMES[self][0]

    @property
    def en(self) -> str:
        return DOCUMENT_NAMES[self][1]


DOCUMENT_NAMES = {
    DocumentKind.RESIDENT_ID: ("居民身份证", "Resident ID card"),
    DocumentKind.HMT_RESIDENCE_PERMIT: ("港澳台居民居住证", "Hong Kong, Macao and Taiwan residence permit"),
    DocumentKind.FOREIGN_PERMANENT_RESIDENCE: ("外国人永久居留身份证", "Foreign permanent residence ID card"),
}
# What a refusal calls the number of each kind: a permit by its own short name, so a citizen whose
# first digit slipped to 9 sees that the number was read as another document.
NUMBER_NAMES = {
    DocumentKind.RESIDENT_ID: ("身份证号", "The ID number"),
    DocumentKind.HMT_RESIDENCE_PERMIT: ("居住证号码", "The residence permit number"),
    DocumentKind.FOREIGN_PERMANENT_RESIDENCE: ("永居证号码", "The permanent residence ID number"),
}
# Address codes of the residence permits: Hong Kong, Macao, Taiwan.
HMT_PERMIT_CODES = frozenset({"810000", "820000", "830000"})
# The 2023 permanent residence ID card's first digit: no province code starts with 9.
FOREIGN_PERMIT_PREFIX = "9"

# GB 32100: the 31 characters a USCC may hold, in the order of their values for the check character.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_EXCLUDED = "IOZSV"
# Registration authority (character 1) -> the kinds of organisation it registers (character 2):
# 1 机构编制, 2 外交, 3 司法行政, 4 文化, 5 民政, 6 旅游, 7 宗教, 8 工会, 9 工商 (市场监管),
# A 中央军委改革和编制办公室, N 农业, Y 其他 (kind always 1).
USCC_KINDS = {"1": "1239", "2": "19", "3": "123459", "4": "19", "5": "1239", "6": "129", "7": "129",
              "8": "19", "9": "123", "A": "19", "N": "1239", "Y": "1"}

MIDDLE_DOT = "\u00b7"
# Dots people (and input methods) type in place of the proper middle dot.
DOT_LOOKALIKES = "\u2022\u30fb\u00b7\u2027\u2219\u22c5\uff65\u0387."
NAME_MAX = 30
NAME_MIN = 2
FREE_TEXT_MAX = 200


@dataclass(frozen=True)
class ValidationError(ValueError):
    """A specific, bilingual reason why one field was refused."""

    field: str
    code: str
    zh: str
    en: str

    def __str__(self) -> str:
        return f"{self.field}: {self.zh} / {self.en}"


@dataclass(frozen=True)
class ResidentId:
    """A checked 18-character identity number, its document kind and what the number tells.

    ``birth_date`` and ``sex`` are None for a foreign permanent residence ID (see the module docstring).
    """

    number: str
    birth_date: dt.date | None
    sex: str | None  # "male" | "female", from the 17th digit's parity
    kind: DocumentKind = DocumentKind.RESIDENT_ID

    def age_on(self, day: dt.date) -> int | None:
        return None if self.birth_date is None else _age(self.birth_date, day)


def id_check_char(first17: str) -> str:
    """The GB 11643 (ISO 7064 MOD 11-2) check character for the first 17 digits."""
    if len(first17) == 17 and first17.isascii() and first17.isdigit():
        # The usual case, on the server's ingest path for every registration: multiplying the ASCII
        # bytes in C is ~5x faster than int() per character; the zeros' share is taken off after.
        total = sum(map(operator.mul, first17.encode("ascii"), ID_WEIGHTS)) - _ASCII_ZEROS
    else:
        total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def document_kind(number: str) -> DocumentKind:
    """Which document an 18-character number belongs to, told by its first digits."""
    if number.startswith(FOREIGN_PERMIT_PREFIX):
        return DocumentKind.FOREIGN_PERMANENT_RESIDENCE
    if number[:6] in HMT_PERMIT_CODES:
        return DocumentKind.HMT_RESIDENCE_PERMIT
    return DocumentKind.RESIDENT_ID


@cache
def county_code_exists(code: str) -> bool:
    """Whether a six-digit administrative code names a county, now or in the past (python-stdnum's list).

    The list is read on first use (~0.1 s), not at import, so the first paint does not wait for it.
    """
    return any("county" in props for _part, props in _county_list().info(code))


def load_county_list() -> None:
    """Read python-stdnum's county list now (~30 ms of CPU), so that the first identity number checked later
    does not wait for it: the city server calls this in the background once it listens (sync/server/serving.py)."""
    _county_list()


_COUNTY_LIST_READ = threading.Lock()   # one reading, whichever thread asks first (the server's reads it in the background)


def _county_list():  # type: ignore[no-untyped-def]
    from stdnum import numdb

    with _COUNTY_LIST_READ:
        return numdb.get("cn/loc")


def validate_resident_id(
    raw: str, *, today: dt.date | None = None, min_age: int = 16, max_age: int = 80
) -> ResidentId:
    """Normalise and check an identity number of any accepted kind; lower-case x is accepted."""
    number = "".join(raw.split()).upper()
    today = today or dt.date.today()
    if not number:
        raise _err("id_number", "required", "请输入身份证号", "Please enter your ID number")
    if len(number) != 18:
        raise _err("id_number", "length", f"身份证号应为18位，现为{len(number)}位",
                   f"An ID number has 18 characters, this one has {len(number)}")
    if not number[:17].isascii() or not number[:17].isdigit() or number[17] not in "0123456789X":
        raise _err("id_number", "characters", "身份证号前17位须为数字，末位为数字或X",
                   "The first 17 characters must be digits, the last a digit or X")
    kind = document_kind(number)
    if kind is DocumentKind.FOREIGN_PERMANENT_RESIDENCE:
        _check_char(number, kind)
        return ResidentId(number, None, None, kind)
    if kind is DocumentKind.RESIDENT_ID and not county_code_exists(number[:6]):
        raise _err("id_number", "region", f"身份证号第1–6位的地区代码不存在：{number[:6]}",
                   f"Characters 1–6 of the ID number, {number[:6]}, are not the code of any county, past or present")
    birth = _birth_date(number, kind, today)
    _check_char(number, kind)
    age = _age(birth, today)
    if age < min_age:
        raise _err("id_number", "too_young", f"入会须年满{min_age}周岁", f"Members must be at least {min_age}")
    if age > max_age:
        raise _err("id_number", "too_old", f"入会年龄上限为{max_age}周岁", f"The age limit for joining is {max_age}")
    return ResidentId(number, birth, "male" if int(number[16]) % 2 else "female", kind)


def _age(birth: dt.date, day: dt.date) -> int:
    before_birthday = (day.month, day.day) < (birth.month, birth.day)
    return day.year - birth.year - before_birthday


def _birth_date(number: str, kind: DocumentKind, today: dt.date) -> dt.date:
    """Characters 7–14: a real date, not before 1900, not in the future."""
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        birth = None
    if birth is None or birth > today or birth.year < 1900:
        zh, en = NUMBER_NAMES[kind]
        raise _err("id_number", "birth_date", f"{zh}第7–14位的出生日期无效：{number[6:14]}",
                   f"{en}'s characters 7–14 ({number[6:14]}) are not a real birth date")
    return birth


def _check_char(number: str, kind: DocumentKind) -> None:
    if id_check_char(number[:17]) != number[17]:
        zh, en = NUMBER_NAMES[kind]
        raise _err("id_number", "checksum", f"{zh}校验位不符，请核对每一位",
                   f"{en}'s check character does not match; please check each character")


def uscc_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters of a USCC."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[-total % 31]


def validate_uscc(raw: str) -> str:
    """Normalise (spaces and dashes dropped, capitals) and check a 统一社会信用代码; each kind of
    mistake has its own message: length, characters, authority, kind, region, check character."""
    code = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", raw)).upper()
    if not code:
        raise _err("uscc", "required", "请输入统一社会信用代码", "Please enter the unified social credit code")
    if len(code) != 18:
        raise _err("uscc", "length", f"统一社会信用代码应为18位，现为{len(code)}位",
                   f"A unified social credit code has 18 characters, this one has {len(code)}")
    _check_uscc_characters(code)
    if code[0] not in USCC_KINDS:
        raise _err("uscc", "authority", f"第1位登记管理部门代码不存在：{code[0]}",
                   f"Character 1, {code[0]}, is not the code of any registration authority")
    if code[1] not in USCC_KINDS[code[0]]:
        raise _err("uscc", "kind", f"第2位机构类别代码{code[1]}不属于登记管理部门{code[0]}",
                   f"Character 2, {code[1]}, is not a kind of organisation registration authority {code[0]} registers")
    if not code[2:8].isdigit() or not _division_exists(code[2:8]):
        raise _err("uscc", "region", f"第3–8位的行政区划码不存在：{code[2:8]}",
                   f"Characters 3–8, {code[2:8]}, are not the code of any administrative division")
    if uscc_check_char(code[:17]) != code[17]:
        raise _err("uscc", "checksum", "统一社会信用代码校验位不符，请核对每一位",
                   "The check character of the unified social credit code does not match; please check each character")
    return code


def _check_uscc_characters(code: str) -> None:
    excluded = sorted({c for c in code if c in USCC_EXCLUDED})
    if excluded:
        raise _err("uscc", "excluded_letter", f"统一社会信用代码不使用字母I、O、Z、S、V，此处有：{'、'.join(excluded)}",
                   f"A unified social credit code never uses the letters I, O, Z, S or V; this one has {', '.join(excluded)}")
    if any(c not in USCC_ALPHABET for c in code):
        raise _err("uscc", "characters", "统一社会信用代码只能包含数字和大写字母",
                   "A unified social credit code has digits and capital letters only")


@cache
def _division_exists(code: str) -> bool:
    """Whether a six-digit code names an administrative division at any level in python-stdnum's list."""
    return any("county" in props for _part, props in _county_list().info(code))


def validate_mobile(raw: str) -> str:
    """Normalise a mainland mobile number to its 11 digits (+86, spaces and dashes allowed)."""
    digits = re.sub(r"[\s\-()]", "", raw)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not digits:
        raise _err("phone", "required", "请输入手机号", "Please enter your mobile number")
    if not (digits.isascii() and digits.isdigit()):
        raise _err("phone", "characters", "手机号只能包含数字", "A mobile number has digits only")
    if len(digits) != 11:
        raise _err("phone", "length", f"手机号应为11位，现为{len(digits)}位",
                   f"A mobile number has 11 digits, this one has {len(digits)}")
    if digits[0] != "1" or digits[1] not in "3456789":
        raise _err("phone", "prefix", "不是有效的中国大陆手机号（应以13–19开头）",
                   "Not a mainland China mobile number (it starts with 13–19)")
    return digits


def normalise_name(raw: str) -> str:
    """NFC, trimmed, every look-alike dot turned into the middle dot (U+00B7)."""
    name = unicodedata.normalize("NFC", raw).strip()
    name = re.sub(r"\s*[" + re.escape(DOT_LOOKALIKES) + r"]\s*", MIDDLE_DOT, name)
    return re.sub(r"\s+", " ", name)


def validate_name(raw: str) -> str:
    """A Chinese name (minority and foreign names with the middle dot) or a Latin-script name."""
    name = normalise_name(raw)
    if not name:
        raise _err("name", "required", "请输入姓名", "Please enter your name")
    if len(name) < NAME_MIN:
        raise _err("name", "too_short", "姓名至少2个字", "A name has at least 2 characters")
    if len(name) > NAME_MAX:
        raise _err("name", "too_long", f"姓名最多{NAME_MAX}个字", f"A name has at most {NAME_MAX} characters")
    if name[0] == MIDDLE_DOT or name[-1] == MIDDLE_DOT or MIDDLE_DOT * 2 in name:
        raise _err("name", "dot_position", "间隔号“·”只能用在两个字之间",
                   "The middle dot '·' may only stand between two parts of the name")
    if all(_is_cjk(c) or c == MIDDLE_DOT for c in name):
        return name
    if all(c.isascii() and (c.isalpha() or c in " -'") or c == MIDDLE_DOT for c in name) and any(c.isalpha() for c in name):
        return name
    raise _err("name", "characters", "姓名只能包含汉字、字母和间隔号“·”",
               "A name may contain Chinese characters, letters and the middle dot '·' only")


def validate_free_text(raw: str, *, field: str = "note", limit: int = FREE_TEXT_MAX, required: bool = False) -> str:
    """Trimmed free text within a length limit, without control characters."""
    text = unicodedata.normalize("NFC", raw).strip()
    if required and not text:
        raise _err(field, "required", "此项不能为空", "This field is required")
    if len(text) > limit:
        raise _err(field, "too_long", f"最多{limit}个字，现为{len(text)}个",
                   f"At most {limit} characters, this has {len(text)}")
    if any(unicodedata.category(c) == "Cc" for c in text):
        raise _err(field, "control_chars", "含有不可见的控制字符", "Contains invisible control characters")
    return text


def validate_occupation(raw: str, known: set[str] | frozenset[str]) -> str:
    """One of the event's occupation ids (the kiosk's tiles and the phone page's alike)."""
    if raw not in known:
        raise _err("occupation", "required", "请选择职业", "Please choose an occupation")
    return raw


def _is_cjk(c: str) -> bool:
    cp = ord(c)
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2EBEF
            or 0x30000 <= cp <= 0x323AF or 0xF900 <= cp <= 0xFAFF)


def _err(field: str, code: str, zh: str, en: str) -> ValidationError:
    return ValidationError(field, code, zh, en)
