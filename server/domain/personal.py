"""Personal data a citizen gives (mainland mobile numbers, resident ID numbers): checked once, masked in
every view. Neither ever goes into an event or a log line; views show only the masked forms."""

from __future__ import annotations

import datetime as dt
import re

from server.domain.errors import BadRequest

_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")  # mainland China mobile numbers: 11 digits, 13x–19x
_ID_NUMBER = re.compile(r"^[0-9]{17}[0-9X]$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"  # GB 11643-1999: check character for (Σ digit × weight) mod 11


def normalise_mobile(raw: str) -> str:
    """A mainland mobile number in its 11-digit form (spaces, dashes and a +86/0086 prefix dropped), or
    BadRequest ``invalid_phone``."""
    digits = re.sub(r"[\s-]", "", raw)
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix):]
    if not _MOBILE.match(digits):
        raise BadRequest("invalid_phone", "手机号码应为11位中国大陆手机号 / A mainland China mobile number "
                                          "has 11 digits starting 13–19")
    return digits


def id_check_character(first17: str) -> str:
    return _ID_CHECK[sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def normalise_id_number(raw: str) -> str:
    """An 18-character resident ID number (公民身份号码, GB 11643) with a valid birth date and check
    character, upper-cased, or BadRequest ``invalid_id_number``."""
    value = raw.strip().upper()
    if not _ID_NUMBER.match(value):
        raise BadRequest("invalid_id_number", "身份证号码应为18位 / A resident ID number has 18 characters: "
                                              "17 digits and a check digit or X")
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        born = None
    if born is None or born.year < 1900:
        raise BadRequest("invalid_id_number", "身份证号码中的出生日期无效 / The birth date in the ID number "
                                              "is not a date")
    if id_check_character(value[:17]) != value[17]:
        raise BadRequest("invalid_id_number", "身份证号码校验位不正确 / The check digit of the ID number is wrong")
    return value


def mask_id_number(value: str) -> str:
    """3403**********123X: the first four and the last four characters kept."""
    return value[:4] + "*" * (len(value) - 8) + value[-4:] if len(value) > 8 else "*" * len(value)


def mask_mobile(value: str) -> str:
    """138****5678: the first three and the last four digits kept."""
    return value[:3] + "*" * (len(value) - 7) + value[-4:] if len(value) > 7 else "*" * len(value)
