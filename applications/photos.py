"""ID photo checks (rule 18): colour JPEG, 358 x 441 px, at most 40 KB, bareheaded on a white background.

Each refusal says what is wrong and what the rule is. The order matters: size before anything opens
the file, content type before Pillow, the declared dimensions before any pixel is decoded (a 631-byte
file can declare 6000 × 6000 pixels), and the picture itself last.
"""

import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageStat

from sbcard.errors import InvalidInput
from sbcard.uploads import (
    JPEG_MAGIC,
    decode_image,
    describe_limit,
    open_header,
    read_limited,
    reencode_jpeg,
    sniff_kind,
)

PHOTO_WIDTH = 358
PHOTO_HEIGHT = 441
# The border of a photo on a white background: every channel bright, and the channels close together.
MIN_BACKGROUND_LIGHTNESS = 200
MAX_BACKGROUND_TINT = 40
BORDER_FRACTION = 0.08


def photo_rules_text() -> str:
    return _(
        "Colour photo, bareheaded, on a white background; JPEG file; exactly 358 × 441 pixels; "
        "at most %(limit)s. Local residents with a second-generation ID card may use the ID card photo."
    ) % {"limit": describe_limit(settings.PHOTO_MAX_BYTES)}


@dataclass(frozen=True)
class CheckedPhoto:
    content: bytes
    width: int
    height: int
    sha256: str
    background_lightness: float


def _refuse(message: str, code: str) -> InvalidInput:
    return InvalidInput(f"{message} {_('Rule:')} {photo_rules_text()}", code=code, field="photo")


def border_lightness(image: Image.Image) -> tuple[float, float]:
    """Mean lightness and tint of the top band and the side bands of the upper half.

    The lower part of the sides is left out: shoulders reach the edge in a proper ID photo.
    """
    rgb = image.convert("RGB")
    width, height = rgb.size
    band_x = max(1, int(width * BORDER_FRACTION))
    band_y = max(1, int(height * BORDER_FRACTION))
    regions = [
        rgb.crop((0, 0, width, band_y)),
        rgb.crop((0, band_y, band_x, height // 2)),
        rgb.crop((width - band_x, band_y, width, height // 2)),
    ]
    means = []
    for region in regions:
        stat = ImageStat.Stat(region)
        means.append((stat.mean, region.width * region.height))
    total = sum(weight for _mean, weight in means)
    channel_means = [sum(mean[c] * weight for mean, weight in means) / total for c in range(3)]
    lightness = min(channel_means)
    tint = max(channel_means) - min(channel_means)
    return lightness, tint


def check_photo(upload) -> CheckedPhoto:
    data = read_limited(upload, settings.PHOTO_MAX_BYTES, field="photo", what=_("The photo"))
    if not data.startswith(JPEG_MAGIC):
        kind = sniff_kind(data[:8])
        found = {"png": "PNG", "pdf": "PDF"}.get(kind or "", _("not an image"))
        raise _refuse(
            _("The file is not a JPEG photo (its content is %(found)s, whatever its name says).") % {"found": found},
            "photo_not_jpeg",
        )
    image = open_header(data, field="photo")
    if image.format != "JPEG":
        raise _refuse(_("The file is not a JPEG photo."), "photo_not_jpeg")
    if (image.width, image.height) != (PHOTO_WIDTH, PHOTO_HEIGHT):  # as declared: nothing decoded yet
        raise _refuse(
            _("The photo is %(width)s × %(height)s pixels; it must be exactly 358 × 441.")
            % {"width": image.width, "height": image.height},
            "photo_dimensions",
        )
    image = decode_image(image, field="photo")
    if image.mode not in ("RGB", "YCbCr", "CMYK"):
        raise _refuse(_("The photo is black and white; a colour photo is needed."), "photo_not_colour")
    lightness, tint = border_lightness(image)
    if lightness < MIN_BACKGROUND_LIGHTNESS or tint > MAX_BACKGROUND_TINT:
        raise _refuse(
            _("The background is not white (edge brightness %(lightness)d of 255; at least %(minimum)d needed).")
            % {"lightness": lightness, "minimum": MIN_BACKGROUND_LIGHTNESS},
            "photo_background",
        )
    content = reencode_jpeg(image, max_bytes=settings.PHOTO_MAX_BYTES)
    return CheckedPhoto(
        content=content,
        width=image.width,
        height=image.height,
        sha256=hashlib.sha256(content).hexdigest(),
        background_lightness=lightness,
    )


def photo_file_name(id_number: str) -> str:
    """Built from the ID number (rule 18) with a keyed hash, so the name on disk does not reveal it."""
    digest = hmac.new(settings.PHOTO_NAME_KEY.encode(), id_number.encode(), hashlib.sha256).hexdigest()
    return f"{digest[:32]}.jpg"
