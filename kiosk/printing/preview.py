"""The ticket as a PNG, drawn dot for dot like a 203 dpi thermal head would print it.

Each character sits in the same cell it takes on paper (12 x 24 dots half width, 24 x 24 full
width, times the size multiplier), so the preview wraps and aligns exactly like the printer.
"""

from __future__ import annotations

import functools
import glob
import io
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from kiosk.printing.qr_image import qr_image
from kiosk.printing.text_width import char_width, display_width
from kiosk.printing.ticket import PAPER_PIXELS, QR_MODULE_DOTS, Line, TicketPrint, ticket_lines

HALF_CELL_DOTS = 12
CELL_HEIGHT_DOTS = 24
LINE_GAP_DOTS = 6  # the printer's default line spacing is 30 dots for a 24-dot character
MARGIN_TOP_DOTS = 24
MARGIN_BOTTOM_DOTS = 48
# In the CJK fonts the ideographic em box sits from -0.12 em to 0.88 em around the baseline.
BASELINE_EM = 0.88

_NOTO_DIR = "/usr/share/fonts/opentype/noto"
# Preferred faces: monospaced Simplified Chinese, so Latin letters are exactly half width.
_PREFERRED_FACES = (
    "Noto Sans Mono CJK SC",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei Mono",
)
_FALLBACK_PATTERNS = (
    "/usr/share/fonts/**/NotoSansCJK*.tt[cf]",
    "/usr/share/fonts/**/NotoSansSC*.[ot]tf",
    "/usr/share/fonts/**/SourceHanSans*.tt[cf]",
    "/usr/share/fonts/**/wqy-zenhei.ttc",
    "/usr/share/fonts/**/wqy-microhei.ttc",
    "/usr/share/fonts/**/DroidSansFallback*.ttf",
)


class FontNotFoundError(RuntimeError):
    """No font with Chinese characters is installed."""


@dataclass(frozen=True)
class FontFace:
    path: str
    index: int


def _best_face(path: str) -> FontFace | None:
    """The most suitable face in a font file (a .ttc holds several), or None if it has no Chinese."""
    faces: list[tuple[str, int]] = []
    for index in range(32):
        try:
            family, _ = ImageFont.truetype(path, 24, index=index).getname()
        except OSError:
            break
        faces.append((family or "", index))
    if not faces:
        return None
    for preferred in _PREFERRED_FACES:
        for family, index in faces:
            if family == preferred:
                return FontFace(path, index)
    font = ImageFont.truetype(path, 24, index=faces[0][1])
    # A font without the glyph draws a notdef box narrower than a full-width ideograph.
    return FontFace(path, faces[0][1]) if font.getlength("号") >= 20 else None


def _candidate_paths(bold: bool) -> Iterator[str]:
    """Likely paths first; ``fc-list`` (a subprocess, which gevent's threadpool cannot start) only
    when none of them holds a Chinese font."""
    weight = "Bold" if bold else "Regular"
    yield f"{_NOTO_DIR}/NotoSansCJK-{weight}.ttc"
    for pattern in _FALLBACK_PATTERNS:
        found = sorted(glob.glob(pattern, recursive=True))
        yield from (path for path in found if ("Bold" in path) == bold)
        yield from (path for path in found if ("Bold" in path) != bold)
    if shutil.which("fc-list"):
        listed = subprocess.run(
            ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
        yield from (line.split(":")[0].strip() for line in listed.splitlines() if line.strip())


@functools.cache
def find_cjk_font(bold: bool = False) -> FontFace:
    """A Chinese font face, preferring Noto Sans Mono CJK SC (fonts-noto-cjk)."""
    for path in _candidate_paths(bold):
        try:
            face = _best_face(path)
        except OSError:
            continue
        if face is not None:
            return face
    raise FontNotFoundError(
        "未找到中文字体，无法生成号票预览 / no CJK font found for the ticket preview: "
        "install fonts-noto-cjk (NotoSansCJK-Regular.ttc)"
    )


@functools.cache
def _font(size: int, bold: bool) -> ImageFont.FreeTypeFont:
    face = find_cjk_font(bold)
    return ImageFont.truetype(face.path, CELL_HEIGHT_DOTS * size, index=face.index)


def _line_height(line: Line) -> int:
    return CELL_HEIGHT_DOTS * line.size + LINE_GAP_DOTS


def _start_x(width_dots: int, paper_dots: int, align: str) -> int:
    if align == "center":
        return max(0, (paper_dots - width_dots) // 2)
    if align == "right":
        return max(0, paper_dots - width_dots)
    return 0


def _draw_text(draw: ImageDraw.ImageDraw, line: Line, top: int, paper_dots: int) -> None:
    size = line.size
    font = _font(size, line.bold)
    # Without a real bold face, a one-dot stroke looks like the printer's emphasized mode.
    fake_bold = line.bold and find_cjk_font(True) == find_cjk_font(False)
    x = _start_x(display_width(line.text) * HALF_CELL_DOTS * size, paper_dots, line.align)
    baseline = top + round(BASELINE_EM * CELL_HEIGHT_DOTS * size)
    for char in line.text:
        cell = char_width(char) * HALF_CELL_DOTS * size
        if not char.isspace():
            glyph_x = x + (cell - font.getlength(char)) / 2
            draw.text(
                (glyph_x, baseline), char, font=font, fill=0, anchor="ls", stroke_width=1 if fake_bold else 0
            )
        x += cell


def ticket_png(ticket: TicketPrint, paper_mm: int = 80) -> bytes:
    """A PNG of the printed ticket, as wide as the print head: 384 dots (58 mm) or 576 dots (80 mm)."""
    if paper_mm not in PAPER_PIXELS:
        raise ValueError(f"paper width must be 58 or 80 mm, got {paper_mm!r}")
    paper_dots = PAPER_PIXELS[paper_mm]
    lines = ticket_lines(ticket, paper_mm)
    codes = {
        index: qr_image(line.text, QR_MODULE_DOTS[paper_mm])
        for index, line in enumerate(lines)
        if line.kind == "qr"
    }
    height = MARGIN_TOP_DOTS + MARGIN_BOTTOM_DOTS
    height += sum(
        codes[index].height if index in codes else _line_height(line) for index, line in enumerate(lines)
    )
    image = Image.new("L", (paper_dots, height), 255)
    draw = ImageDraw.Draw(image)
    top = MARGIN_TOP_DOTS
    for index, line in enumerate(lines):
        if index in codes:
            code = codes[index]
            image.paste(code.convert("L"), (_start_x(code.width, paper_dots, line.align), top))
            top += code.height
        else:
            _draw_text(draw, line, top, paper_dots)
            top += _line_height(line)
    output = io.BytesIO()
    image.save(output, format="PNG", optimize=True)
    return output.getvalue()
