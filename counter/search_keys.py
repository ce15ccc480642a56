"""What a clerk may type to find an item for a transfer: its name, or its pinyin, in full or by
initials (企业设立登记 → "qiyesheli…", "qysldj")."""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin


def _letters(parts: list[str]) -> str:
    return "".join(character for part in parts for character in part.lower() if character.isalnum())


@lru_cache(maxsize=4096)
def pinyin_keys(name: str) -> dict[str, str]:
    """``{"initials": "qysldj", "full": "qiyeshelidengji"}``; characters that are not Chinese are kept."""
    return {"initials": _letters(lazy_pinyin(name, style=Style.FIRST_LETTER)),
            "full": _letters(lazy_pinyin(name, style=Style.NORMAL))}


def service_search_keys(services) -> dict[str, dict[str, str]]:
    """Service id → its pinyin keys, for every service of a site."""
    return {service.id: pinyin_keys(service.name) for service in services}
