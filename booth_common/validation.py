"""Pure-Python validation of what a worker types: ID number, mobile number, name, free text.

Every failure is a ``ValidationError`` with a field, a machine code and a message in
Chinese and English, so the kiosk can show it and the CLI can print it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

# GB 11643-1999: weights 2^(17-i) mod 11 and the check-character table.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
# First two digits: province-level codes of GB/T 2260 (incl. 71 Taiwan, 81/82 HK/Macao, 83 HK/Macao/Taiwan residence permits).
PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 "
    "61 62 63 64 65 71 81 82 83".split()
)
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
    """A checked 18-character resident ID number and what it tells."""

    number: str
    birth_date: dt.date
    sex: str  # "male" | "female", from the 17th digit's parity

    def age_on(self, day: dt.date) -> int:
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - before_birthday


def id_check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def validate_resident_id(
    raw: str, *, today: dt.date | None = None, min_age: int = 16, max_age: int = 80
) -> ResidentId:
    """Normalise and check an 18-character ID number; lower-case x is accepted."""
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
    if number[:2] not in PROVINCE_CODES:
        raise _err("id_number", "region", "身份证号开头的地区代码不存在",
                   "The region code at the start of the ID number does not exist")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise _err("id_number", "birth_date", "身份证号中的出生日期无效",
                   "The birth date inside the ID number is not a real date") from None
    if birth > today or birth.year < 1900:
        raise _err("id_number", "birth_date", "身份证号中的出生日期无效",
                   "The birth date inside the ID number is not a real date")
    if id_check_char(number[:17]) != number[17]:
        raise _err("id_number", "checksum", "身份证号校验位不符，请核对每一位",
                   "The ID number's check digit does not match; please check each digit")
    rid = ResidentId(number, birth, "male" if int(number[16]) % 2 else "female")
    age = rid.age_on(today)
    if age < min_age:
        raise _err("id_number", "too_young", f"入会须年满{min_age}周岁", f"Members must be at least {min_age}")
    if age > max_age:
        raise _err("id_number", "too_old", f"入会年龄上限为{max_age}周岁", f"The age limit for joining is {max_age}")
    return rid


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


def _is_cjk(c: str) -> bool:
    cp = ord(c)
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2EBEF
            or 0x30000 <= cp <= 0x323AF or 0xF900 <= cp <= 0xFAFF)


def _err(field: str, code: str, zh: str, en: str) -> ValidationError:
    return ValidationError(field, code, zh, en)
