"""Column widths and line wrapping as a thermal printer sees them.

In Chinese (Kanji) mode an ESC/POS printer prints a one-byte character in one half-width
cell and a multi-byte GB18030 character in one full-width cell. So the width of a character
is decided by its GB18030 byte length, not by Unicode's East Asian Width (which calls
"…", "—" and "“" ambiguous). Using the byte length keeps the wrapping exact on paper.
"""

from __future__ import annotations

import unicodedata

# Characters that must not open a line (Chinese line-breaking rules, 避头点).
_NO_LINE_START = set("，。、；：？！）》」』】〕〉”’…—·,.;:?!)]}%")
# Characters that must not close a line.
_NO_LINE_END = set("（《「『【〔〈“‘([{")


def char_width(char: str) -> int:
    """Columns one character takes: 1 (half width) or 2 (full width); 0 for combining marks."""
    if unicodedata.combining(char):
        return 0
    return 1 if len(char.encode("gb18030")) == 1 else 2


def display_width(text: str) -> int:
    """Columns the text takes on the printer."""
    return sum(char_width(char) for char in text)


def _tokens(text: str) -> list[str]:
    """Split into pieces that may not be broken: runs of ASCII letters/digits (a word, a URL part,
    a number), single spaces, and single other characters (each Chinese character may break)."""
    tokens: list[str] = []
    word = ""
    for char in text:
        if char.isascii() and not char.isspace():
            word += char
            continue
        if word:
            tokens.append(word)
            word = ""
        tokens.append(char)
    if word:
        tokens.append(word)
    return tokens


def _split_to_width(token: str, width: int) -> list[str]:
    """Hard-split a token that is wider than a whole line."""
    pieces: list[str] = []
    current = ""
    for char in token:
        if current and display_width(current + char) > width:
            pieces.append(current)
            current = ""
        current += char
    if current:
        pieces.append(current)
    return pieces


def wrap(text: str, width: int, indent: int = 0) -> list[str]:
    """Wrap ``text`` into lines of at most ``width`` columns.

    Continuation lines start with ``indent`` spaces, so a value lines up under itself after a
    label ("业务：" + a long item name). Explicit newlines are kept. Nothing is dropped: a word
    longer than a line is split.
    """
    if width < 2:
        raise ValueError(f"wrap width must be at least 2 columns, got {width}")
    if not 0 <= indent <= width - 2:
        raise ValueError(f"indent {indent} does not fit in {width} columns")
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(_wrap_paragraph(paragraph, width, indent))
    return lines


def balanced_wrap(text: str, width: int, indent: int = 0) -> list[str]:
    """Wrap into as few lines as ``wrap`` would, but with lines of similar length, so a title or an
    item name does not end with one lonely character on its last line."""
    lines = wrap(text, width, indent)
    if len(lines) < 2 or "\n" in text:
        return lines
    narrowest = -(-(display_width(text) + indent * (len(lines) - 1)) // len(lines))  # ceiling division
    for candidate in range(max(narrowest, indent + 2), width):
        balanced = wrap(text, candidate, indent)
        if len(balanced) == len(lines):
            return balanced
    return lines


def _wrap_paragraph(paragraph: str, width: int, indent: int) -> list[str]:
    lines: list[list[str]] = [[]]
    for token in _tokens(paragraph):
        for piece in _split_to_width(token, width - indent):
            limit = width if len(lines) == 1 else width - indent
            used = sum(display_width(part) for part in lines[-1])
            if used + display_width(piece) <= limit:
                if piece != " " or lines[-1] or len(lines) == 1:  # no space at a continuation's start
                    lines[-1].append(piece)
            elif piece != " ":  # a space at the break disappears
                lines.append(_carry_for_break(lines[-1], piece, width - indent) + [piece])
    text_lines = ["".join(parts).rstrip() for parts in lines]
    return [text_lines[0]] + [" " * indent + line for line in text_lines[1:]]


def _carry_for_break(previous: list[str], next_piece: str, limit: int) -> list[str]:
    """Move the last character of the previous line down when the break would put closing
    punctuation at a line start, or leave an opening bracket at a line end."""
    if len(previous) < 2 or previous[-1] == " ":
        return []
    awkward = next_piece[0] in _NO_LINE_START or previous[-1] in _NO_LINE_END
    if awkward and display_width(previous[-1] + next_piece) <= limit:
        return [previous.pop()]
    return []
