"""Generated ID photos for the demo data, tests and benchmarks (never real people)."""

import io

from PIL import Image, ImageDraw


def make_id_photo(
    *,
    size: tuple[int, int] = (358, 441),
    background: tuple[int, int, int] = (255, 255, 255),
    shirt: tuple[int, int, int] = (40, 60, 120),
    quality: int = 85,
    exif: bytes | None = None,
    image_format: str = "JPEG",
    mode: str = "RGB",
) -> bytes:
    """A head-and-shoulders drawing on a plain background, encoded as asked."""
    width, height = size
    image = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(image)
    draw.ellipse((width * 0.3, height * 0.15, width * 0.7, height * 0.55), fill=(224, 186, 160))
    draw.ellipse((width * 0.28, height * 0.1, width * 0.72, height * 0.3), fill=(30, 30, 30))
    draw.rectangle((width * 0.05, height * 0.7, width * 0.95, height), fill=shirt)
    draw.ellipse((width * 0.05, height * 0.6, width * 0.95, height * 0.85), fill=shirt)
    if mode != "RGB":
        image = image.convert(mode)
    out = io.BytesIO()
    options = {"quality": quality} if image_format == "JPEG" else {}
    if exif is not None:
        options["exif"] = exif
    image.save(out, format=image_format, **options)
    return out.getvalue()
