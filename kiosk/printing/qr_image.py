"""The ticket's QR code as a bitmap, shared by the image fallback and the PNG preview."""

from __future__ import annotations

import qrcode
from PIL import Image

# The same error correction as the native GS ( k symbol, so both modes scan alike.
_ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M


def qr_image(data: str, module_pixels: int, quiet_modules: int = 2) -> Image.Image:
    """A black-on-white, one-bit QR image with ``module_pixels`` per module.

    The quiet zone is narrower than the standard four modules because white paper surrounds
    the symbol on a ticket anyway.
    """
    if not data:
        raise ValueError("QR data is empty")
    code = qrcode.QRCode(
        version=None, error_correction=_ERROR_CORRECTION, box_size=module_pixels, border=quiet_modules
    )
    code.add_data(data)
    code.make(fit=True)
    return code.make_image(fill_color="black", back_color="white").get_image().convert("1")


def centered_on_width(image: Image.Image, width: int) -> Image.Image:
    """The image centred on a white strip ``width`` pixels wide (cropped evenly if wider)."""
    strip = Image.new("1", (width, image.height), 1)
    strip.paste(image, ((width - image.width) // 2, 0))
    return strip
