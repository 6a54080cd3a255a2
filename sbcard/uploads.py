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
            _("%(what)s is %(size)s bytes; the limit is %(limit)s.")
            % {"what": what, "size": f"{declared:,}", "limit": describe_limit(max_bytes)},
            code="file_too_large",
            field=field,
        )
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InvalidInput(
            _("%(what)s is larger than the limit of %(limit)s.") % {"what": what, "limit": describe_limit(max_bytes)},
            code="file_too_large",
            field=field,
        )
    if not data:
        raise InvalidInput(_("The file is empty."), code="file_empty", field=field)
    return data


def describe_limit(max_bytes: int) -> str:
    """A size limit as people read it and exactly: "40 KB = 40,960 bytes" (1 KB = 1,024 bytes)."""
    for unit, size in (("MB", 1024 * 1024), ("KB", 1024)):
        if max_bytes % size == 0:
            return _("%(amount)s = %(bytes)s bytes") % {
                "amount": f"{max_bytes // size} {unit}",
                "bytes": f"{max_bytes:,}",
            }
    return _("%(bytes)s bytes") % {"bytes": f"{max_bytes:,}"}


def open_image(data: bytes, *, field: str) -> Image.Image:
    """Open and fully decode an image, turning every Pillow failure into a clear refusal."""
    return decode_image(open_header(data, field=field), field=field)


def open_header(data: bytes, *, field: str) -> Image.Image:
    """Read only the image's header (format, declared size, mode): no pixel is decoded yet, so a small file
    that declares a huge picture costs nothing. Pillow's decompression-bomb limit is a refusal."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > Image.MAX_IMAGE_PIXELS:
                raise Image.DecompressionBombError("too many pixels")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _too_many_pixels(field) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise _unreadable(field) from error
    return image


def decode_image(image: Image.Image, *, field: str) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _too_many_pixels(field) from error
    except (OSError, SyntaxError, ValueError) as error:
        raise _unreadable(field) from error
    return image


def _too_many_pixels(field: str) -> InvalidInput:
    return InvalidInput(
        _("The image claims to be too large (more than %(pixels)s million pixels) and was not opened.")
        % {"pixels": Image.MAX_IMAGE_PIXELS // 1_000_000},
        code="image_too_many_pixels",
        field=field,
    )


def _unreadable(field: str) -> InvalidInput:
    return InvalidInput(
        _("The image is damaged or cannot be read; save it again as a JPEG and retry."),
        code="image_unreadable",
        field=field,
    )


def pixels_only(image: Image.Image, mode: str) -> Image.Image:
    """A new image made of the pixels alone: nothing of the upload's metadata (EXIF, ICC profile, XMP,
    comments, text chunks) is carried over, because Pillow writes some of what it read back out on save."""
    converted = image.convert(mode)
    return Image.frombytes(mode, converted.size, converted.tobytes())


def reencode_jpeg(image: Image.Image, *, max_bytes: int | None = None) -> bytes:
    """A fresh JPEG from the pixels only: no EXIF (GPS, camera), no ICC profile, no XMP, no comment, no
    trailing data."""
    clean = pixels_only(image, "RGB")
    for quality in (92, 85, 78, 70, 62, 55):
        out = io.BytesIO()
        clean.save(out, format="JPEG", quality=quality, optimize=True)
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
        has_alpha = "A" in image.getbands() or "transparency" in image.info
        pixels_only(image, "RGBA" if has_alpha else "RGB").save(out, format="PNG", optimize=True)
        return CheckedDocument(out.getvalue(), "png", "png")
    return CheckedDocument(reencode_jpeg(image), "jpeg", "jpg")
