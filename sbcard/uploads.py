"""Uploaded files: size checked before anything opens them, type judged by content, images re-encoded.

Pillow's decompression-bomb limit is an error here (not a warning), so an image that claims to be huge
is refused before it is decoded.
"""

import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from sbcard.errors import InvalidInput

Image.MAX_IMAGE_PIXELS = 40_000_000  # far above any ID photo or scanned A4 page at 300 dpi

JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PDF_MAGIC = b"%PDF-"


def sniff_kind(head: bytes) -> str | None:
    if head.startswith(JPEG_MAGIC):
        return "jpeg"
    if head.startswith(PNG_MAGIC):
        return "png"
    if head.startswith(PDF_MAGIC):
        return "pdf"
    return None


def read_limited(upload, max_bytes: int, *, field: str, what: str) -> bytes:
    """The upload's bytes, refusing before reading when the declared or actual size is over the limit."""
    if upload is None:
        raise InvalidInput(_("Choose a file to upload."), code="file_missing", field=field)
    declared = getattr(upload, "size", None)
    if declared is not None and declared > max_bytes:
        raise InvalidInput(
            _("%(what)s is %(size)s KB; the limit is %(limit)s KB.")
            % {"what": what, "size": _kb(declared), "limit": _kb(max_bytes)},
            code="file_too_large",
            field=field,
        )
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InvalidInput(
            _("%(what)s is larger than %(limit)s KB.") % {"what": what, "limit": _kb(max_bytes)},
            code="file_too_large",
            field=field,
        )
    if not data:
        raise InvalidInput(_("The file is empty."), code="file_empty", field=field)
    return data


def _kb(size: int) -> str:
    return f"{size / 1024:.1f}".rstrip("0").rstrip(".")


def open_image(data: bytes, *, field: str) -> Image.Image:
    """Open and fully decode an image, turning every Pillow failure into a clear refusal."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > Image.MAX_IMAGE_PIXELS:
                raise Image.DecompressionBombError("too many pixels")
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise InvalidInput(
            _("The image claims to be too large (more than %(pixels)s million pixels) and was not opened.")
            % {"pixels": Image.MAX_IMAGE_PIXELS // 1_000_000},
            code="image_too_many_pixels",
            field=field,
        ) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise InvalidInput(
            _("The image is damaged or cannot be read; save it again as a JPEG and retry."),
            code="image_unreadable",
            field=field,
        ) from error
    return image


def reencode_jpeg(image: Image.Image, *, max_bytes: int | None = None) -> bytes:
    """A fresh JPEG from the pixels only: no EXIF (GPS, camera), no comments, no trailing data."""
    rgb = image.convert("RGB")
    for quality in (92, 85, 78, 70, 62, 55):
        out = io.BytesIO()
        rgb.save(out, format="JPEG", quality=quality, optimize=True)
        if max_bytes is None or out.tell() <= max_bytes:
            return out.getvalue()
    return out.getvalue()


@dataclass(frozen=True)
class CheckedDocument:
    content: bytes
    kind: str  # jpeg, png or pdf
    extension: str


def check_document(upload, *, field: str) -> CheckedDocument:
    """A scan or PDF of a document (guardianship proof, business licence): JPEG, PNG or PDF by content."""
    data = read_limited(upload, settings.DOCUMENT_MAX_BYTES, field=field, what=_("The document"))
    kind = sniff_kind(data[:8])
    if kind is None:
        raise InvalidInput(
            _("Upload the document as a JPEG, PNG or PDF file (the file's content is none of these)."),
            code="document_type",
            field=field,
        )
    if kind == "pdf":
        if b"%%EOF" not in data[-2048:]:
            raise InvalidInput(_("The PDF file is incomplete or damaged."), code="document_damaged", field=field)
        return CheckedDocument(data, "pdf", "pdf")
    image = open_image(data, field=field)
    if kind == "png":
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=True)  # PNG re-saved from pixels: no text chunks kept
        return CheckedDocument(out.getvalue(), "png", "png")
    return CheckedDocument(reencode_jpeg(image), "jpeg", "jpg")
