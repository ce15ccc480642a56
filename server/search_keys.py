"""What people type to find an item: its name, or its pinyin in full or by initials (企业设立登记 →
"qiyeshelidengji", "qysldj"). One normalisation for the kiosk's search and the counter's transfer
picker; the browser treats what is typed the same way (NFKC, lower case, letters and digits only), so
"ＢＤＣ" typed in full width finds what "bdc" finds."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from pypinyin import Style, lazy_pinyin

_NOT_KEY = re.compile(r"[^a-z0-9]")


class SearchKeys(NamedTuple):
    initials: str
    full: str


def key_text(text: str) -> str:
    """``text`` as a search key: NFKC (full-width letters and digits become ASCII), lower case, and only
    the letters a-z and digits 0-9 kept."""
    return _NOT_KEY.sub("", unicodedata.normalize("NFKC", text).lower())


@lru_cache(maxsize=4096)
def pinyin_keys(name: str) -> SearchKeys:
    """(initials, full pinyin) of a name: 不动产登记 → ("bdcdj", "budongchandengji"); Latin letters and
    digits in the name are kept ("ETC 办理" → ("etcbl", "etcbanli")). lazy_pinyin reads common phrases
    with their usual pronunciation."""
    return SearchKeys(key_text("".join(lazy_pinyin(name, style=Style.FIRST_LETTER))),
                      key_text("".join(lazy_pinyin(name, style=Style.NORMAL))))


def service_search_keys(services) -> dict[str, dict[str, str]]:
    """Service id → ``{"initials", "full"}``, for every service of a site."""
    return {service.id: pinyin_keys(service.name)._asdict() for service in services}
