"""What a call says: "请A012号到5号窗口办理" read the way service halls read it aloud.

Ticket numbers are read character by character (A012 → "A零一二"), because citizens
compare them with the slip in their hand. Window numbers are read as numbers
(5 → 五, 12 → 十二, 101 → 一百零一), because that is how the windows are signed and
spoken of in the hall. ``display/static/js/announcer.js`` does the same in the browser;
keep the two in step.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from display.voice.manifest import CHIME, Manifest

DIGITS = "零一二三四五六七八九"
PLACES = ("", "十", "百", "千")
SLOTS = ("ticket", "window")
DEFAULT_TEMPLATE = "请{ticket}号到{window}号窗口办理"


class TemplateError(ValueError):
    """A call template that cannot be spoken."""


class MissingClipError(LookupError):
    """The voice pack has no clip for a piece of text the call needs."""


@dataclass(frozen=True)
class Part:
    """One piece of a template: fixed text, or a slot filled per call."""

    text: str = ""
    slot: str | None = None


def _read_digits(digits: str) -> str:
    return "".join(DIGITS[int(digit)] for digit in digits)


def _read_integer(digits: str) -> str:
    """Read a run of digits as a Chinese number (12 → 十二, 101 → 一百零一).

    Runs with a leading zero ("05") or more than four digits are read digit by digit: they
    are labels rather than quantities, and that is how people say them.
    """
    if len(digits) > 4 or (len(digits) > 1 and digits[0] == "0"):
        return _read_digits(digits)
    value = int(digits)
    if value == 0:
        return DIGITS[0]
    spoken: list[str] = []
    zero_pending = False
    for place in range(len(digits) - 1, -1, -1):
        digit = value // 10**place % 10
        if digit == 0:
            zero_pending = bool(spoken)
            continue
        if zero_pending:
            spoken.append(DIGITS[0])
            zero_pending = False
        spoken.append(DIGITS[digit] + PLACES[place])
    text = "".join(spoken)
    # 10–19 are said 十, 十一 … not 一十一
    return text[1:] if text.startswith("一十") else text


def _is_ideograph(character: str) -> bool:
    return "\u4e00" <= character <= "\u9fff"


def ticket_reading(number: str) -> str:
    """ "A012" → "A零一二": letters as letters, every digit on its own."""
    cleaned = number.strip().upper()
    if not cleaned:
        raise ValueError("号票号码为空 / empty ticket number")
    spoken = []
    for character in cleaned:
        if character in string.ascii_uppercase:
            spoken.append(character)
        elif character in string.digits:
            spoken.append(DIGITS[int(character)])
        else:
            raise ValueError(
                f"号票号码只能含字母和数字: {number!r} / ticket number may hold only letters and digits"
            )
    return "".join(spoken)


def window_reading(number: str) -> str:
    """ "5" → "五", "12" → "十二", "101" → "一百零一", "B3" → "B三".

    Letters are read as letters and each run of digits as a number; Chinese characters are
    kept as they are.
    """
    cleaned = number.strip().upper()
    if not cleaned:
        raise ValueError("窗口号为空 / empty window number")
    spoken: list[str] = []
    digits = ""
    for character in cleaned:
        if character in string.digits:
            digits += character
            continue
        if digits:
            spoken.append(_read_integer(digits))
            digits = ""
        if character in string.ascii_uppercase or _is_ideograph(character):
            spoken.append(character)
        else:
            raise ValueError(
                f"窗口号只能含字母、数字和汉字: {number!r} / window number may hold only letters, digits and"
                " Chinese characters"
            )
    if digits:
        spoken.append(_read_integer(digits))
    return "".join(spoken)


def parse_template(template: str) -> list[Part]:
    """Split a template into fixed text and the {ticket} / {window} slots."""
    if not template or not template.strip():
        raise TemplateError("叫号模板为空 / empty call template")
    parts: list[Part] = []
    try:
        pieces = list(string.Formatter().parse(template))
    except ValueError as error:
        raise TemplateError(f"叫号模板括号不成对: {template!r} / unbalanced braces: {error}") from None
    for literal, slot, format_spec, conversion in pieces:
        if literal:
            parts.append(Part(text=literal))
        if slot is None:
            continue
        if slot not in SLOTS or format_spec or conversion:
            raise TemplateError(
                f"叫号模板只能使用 {{ticket}} 和 {{window}}: {template!r} / unknown placeholder {{{slot}}}"
            )
        parts.append(Part(slot=slot))
    if not any(part.slot == "ticket" for part in parts):
        raise TemplateError(f"叫号模板缺少 {{ticket}}: {template!r} / the template must say the ticket")
    return parts


def _fill(parts: list[Part], ticket: str, window: str) -> list[str]:
    readers = {"ticket": lambda: ticket_reading(ticket), "window": lambda: window_reading(window)}
    return [readers[part.slot]() if part.slot else part.text for part in parts]


def call_text(template: str, ticket: str, window: str) -> str:
    """The call as readable text: "请A零一二号到五号窗口办理"."""
    return "".join(_fill(parse_template(template), ticket, window))


def clips_for_text(text: str, pack: Manifest) -> list[str]:
    """Cut ``text`` into the fewest clips of the pack (longer phrases sound more natural).

    Raises MissingClipError naming the first character no clip can start from.
    """
    by_text = pack.clip_by_text()
    lengths = sorted({len(spoken) for spoken in by_text}, reverse=True)
    # fewest[i] = fewest clips that say text[i:]; choice[i] = length of the clip to take at i
    fewest: list[int | None] = [None] * len(text) + [0]
    choice = [0] * len(text)
    for start in range(len(text) - 1, -1, -1):
        for length in lengths:
            rest = fewest[start + length] if start + length <= len(text) else None
            if rest is None or text[start : start + length] not in by_text:
                continue
            best = fewest[start]
            if best is None or rest + 1 < best:
                fewest[start], choice[start] = rest + 1, length
    if fewest[0] is None:
        gap = _first_gap(text, by_text, lengths)
        raise MissingClipError(
            f"语音包“{pack.name}”缺少“{text[gap]}”的录音（用于“{text}”）"
            f" / voice pack {pack.name!r} has no clip for {text[gap]!r} (needed by {text!r})"
        )
    names, position = [], 0
    while position < len(text):
        length = choice[position]
        names.append(by_text[text[position : position + length]])
        position += length
    return names


def _first_gap(text: str, by_text: dict[str, str], lengths: list[int]) -> int:
    """The first position reachable from the start where no clip begins."""
    reachable, position = {0}, 0
    while position < len(text):
        if position in reachable:
            starts = [length for length in lengths if text[position : position + length] in by_text]
            if not starts:
                return position
            reachable.update(position + length for length in starts)
        position += 1
    return 0  # not reached: a text no clip sequence covers always has such a position


def call_clips(template: str, ticket: str, window: str, pack: Manifest) -> list[str]:
    """The clip names to play for a call, in order, starting with the chime when the pack has one.

    Fixed phrases of the template must be said by the pack; a missing one raises
    MissingClipError rather than leaving a hole in the announcement.
    """
    names = [CHIME] if pack.chime else []
    for text in _fill(parse_template(template), ticket, window):
        names.extend(clips_for_text(text, pack))
    return names
