"""The few ESC/POS commands a ticket needs, as bytes.

Built here rather than through python-escpos's text helpers because its magic encoder picks
a single-byte code page per character and prints full-width punctuation (，（）：) as '?'.
Chinese printers in Kanji mode (FS &) take GB18030 directly, which covers every character.
"""

from __future__ import annotations

from typing import Literal

ESC = b"\x1b"
GS = b"\x1d"
FS = b"\x1c"
DLE = b"\x10"
EOT = b"\x04"
LF = b"\n"

INITIALIZE = ESC + b"@"
CHINESE_MODE_ON = FS + b"&"  # Kanji mode: multi-byte GB18030 text from here on
FULL_CUT = GS + b"V\x00"

_ALIGN_CODES = {"left": 0, "center": 1, "right": 2}
_QR_ERROR_LEVELS = {"L": 48, "M": 49, "Q": 50, "H": 51}
_QR_MAX_BYTES = 7089  # model 2, version 40, numeric; longer data can never be stored


def align(where: Literal["left", "center", "right"]) -> bytes:
    """ESC a n: justification of the lines that follow."""
    return ESC + b"a" + bytes([_ALIGN_CODES[where]])


def bold(on: bool) -> bytes:
    """ESC E n: emphasized (bold) printing."""
    return ESC + b"E" + bytes([1 if on else 0])


def character_size(multiplier: int) -> bytes:
    """GS ! n: the same multiplier (1 to 8) for width and height."""
    if not 1 <= multiplier <= 8:
        raise ValueError(f"character size must be 1 to 8, got {multiplier}")
    step = multiplier - 1
    return GS + b"!" + bytes([step << 4 | step])


# Control characters other than a line feed, as spaces: in typed text (a clerk's reason, a name) an ESC or a
# GS would be read by the printer as a command (ESC @ resets it out of Chinese mode, GS V cuts the paper).
_CONTROLS_AS_SPACES = {code: " " for code in (*range(0x00, 0x0A), *range(0x0B, 0x20), *range(0x7F, 0xA0))}


def chinese_text(text: str) -> bytes:
    """Text as GB18030 bytes, printed as it reads: every Unicode character has a GB18030 code, so nothing
    turns into '?', and a control character (but a line feed) prints as a space, never as a command."""
    try:
        return text.translate(_CONTROLS_AS_SPACES).encode("gb18030")
    except UnicodeEncodeError as error:
        raise ValueError(f"text cannot be encoded as GB18030 ({error.reason}): {text!r}") from error


def feed_lines(count: int) -> bytes:
    """ESC d n: print what is buffered and feed ``count`` lines."""
    if not 0 <= count <= 255:
        raise ValueError(f"feed count must be 0 to 255, got {count}")
    return ESC + b"d" + bytes([count])


def _qr_function(function: int, parameters: bytes) -> bytes:
    # GS ( k pL pH cn fn [parameters]; cn 49 selects QR Code; pL pH count cn, fn and parameters.
    length = len(parameters) + 2
    return GS + b"(k" + length.to_bytes(2, "little") + bytes([49, function]) + parameters


def qr_native(data: str, module_dots: int, error_level: Literal["L", "M", "Q", "H"] = "M") -> bytes:
    """GS ( k: select model 2, module size, error correction, store the data, print the symbol."""
    if not 1 <= module_dots <= 16:
        raise ValueError(f"QR module size must be 1 to 16 dots, got {module_dots}")
    payload = data.encode("utf-8")
    if not payload:
        raise ValueError("QR data is empty")
    if len(payload) > _QR_MAX_BYTES:
        raise ValueError(f"QR data is {len(payload)} bytes; a QR code holds at most {_QR_MAX_BYTES}")
    return (
        _qr_function(65, b"2\x00")  # fn 65: model 2 ('2' = 50)
        + _qr_function(67, bytes([module_dots]))  # fn 67: module size in dots
        + _qr_function(69, bytes([_QR_ERROR_LEVELS[error_level]]))  # fn 69: error correction level
        + _qr_function(80, b"0" + payload)  # fn 80: store the data (m = '0')
        + _qr_function(81, b"0")  # fn 81: print the stored symbol
    )


def status_request(kind: Literal[1, 2, 4]) -> bytes:
    """DLE EOT n: real-time status (1 printer, 2 offline cause, 4 roll paper sensor)."""
    return DLE + EOT + bytes([kind])
