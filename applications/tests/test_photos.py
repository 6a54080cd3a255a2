import io
import struct

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image, ImageFile

from applications.photos import check_photo, photo_file_name
from demo.photos import make_id_photo
from sbcard.errors import InvalidInput
from sbcard.uploads import check_document


def upload(data: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def refusal(data: bytes, name: str = "photo.jpg") -> InvalidInput:
    with pytest.raises(InvalidInput) as error:
        check_photo(upload(data, name))
    assert error.value.field == "photo"
    return error.value


def gps_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif.get_ifd(0x8825).update({1: "N", 2: (30.0, 15.0, 0.0), 3: "E", 4: (120.0, 10.0, 0.0)})
    return exif.tobytes()


def test_accepts_a_proper_photo():
    checked = check_photo(upload(make_id_photo()))

    assert (checked.width, checked.height) == (358, 441)
    assert len(checked.content) <= 40 * 1024
    assert checked.background_lightness > 240


def test_refuses_the_wrong_size_and_says_the_rule():
    error = refusal(make_id_photo(size=(300, 400)))

    assert error.code == "photo_dimensions"
    assert "300" in error.message and "358" in error.message


def padded_to(size: int) -> bytes:
    """A good photo with bytes after its end marker, to exactly `size` bytes (JPEG readers stop at the marker)."""
    data = make_id_photo()
    assert len(data) <= size
    return data + b"\0" * (size - len(data))


def test_the_limit_is_40_kb_of_1024_bytes_exactly_and_the_refusal_says_both_sizes_in_bytes(monkeypatch):
    # Rule 18: at most 40 KB; 1 KB = 1,024 bytes, so 40,960 bytes pass and 40,961 do not.
    assert check_photo(upload(padded_to(40_960))).width == 358
    opened = []
    monkeypatch.setattr("applications.photos.open_header", lambda *a, **k: opened.append(1))

    with translation.override("en"):
        english = refusal(padded_to(41_000))
    with translation.override("zh-hans"):
        chinese = refusal(padded_to(40_961))

    assert english.code == "file_too_large" and opened == []  # refused before anything opened the file
    assert "41,000 bytes; the limit is 40 KB = 40,960 bytes" in english.message
    assert "40,961 字节" in chinese.message and "40 KB（40,960 字节）" in chinese.message


def test_a_stream_without_a_declared_size_is_cut_at_the_limit():
    class Stream(io.BytesIO):
        pass  # no .size: only reading tells

    with pytest.raises(InvalidInput) as error, translation.override("en"):
        check_photo(Stream(padded_to(50_000)))

    assert error.value.code == "file_too_large" and "40 KB = 40,960 bytes" in error.value.message


def test_refuses_a_dark_background():
    error = refusal(make_id_photo(background=(90, 90, 110)))

    assert error.code == "photo_background"


def test_refuses_a_blue_background():
    assert refusal(make_id_photo(background=(60, 140, 230))).code == "photo_background"


def test_refuses_a_png_renamed_jpg():
    error = refusal(make_id_photo(image_format="PNG"), name="photo.jpg")

    assert error.code == "photo_not_jpeg"
    assert "PNG" in error.message


def test_refuses_a_black_and_white_photo():
    assert refusal(make_id_photo(mode="L")).code == "photo_not_colour"


def jpeg_declaring(width: int, height: int) -> bytes:
    """A small real JPEG whose frame header (SOF) is rewritten to declare another size."""
    data = bytearray(make_id_photo(size=(16, 16)))
    sof = next(i for i in range(len(data) - 1) if data[i] == 0xFF and data[i + 1] in (0xC0, 0xC2))
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def test_the_declared_size_is_refused_before_any_pixel_is_decoded(monkeypatch):
    decoded = []
    real_load = ImageFile.ImageFile.load
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda image: decoded.append(image.size) or real_load(image))
    data = jpeg_declaring(6000, 6000)  # decoding it would take 6000 x 6000 x 3 bytes = 108 MB
    assert len(data) < 1000

    error = refusal(data)

    assert error.code == "photo_dimensions" and "6000 × 6000" in error.message
    assert decoded == []


def test_refuses_a_decompression_bomb_without_decoding_it():
    # A small JPEG whose header claims 20000 x 20000 pixels.
    data = bytearray(make_id_photo())
    sof = next(i for i in range(len(data) - 1) if data[i] == 0xFF and data[i + 1] in (0xC0, 0xC2))
    data[sof + 5 : sof + 9] = struct.pack(">HH", 20000, 20000)

    error = refusal(bytes(data))

    assert error.code == "image_too_many_pixels"


def test_refuses_a_truncated_jpeg():
    data = make_id_photo()
    assert refusal(data[: len(data) // 2]).code == "image_unreadable"


def test_refuses_text_pretending_to_be_a_photo():
    assert refusal(b"hello, not an image at all").code == "photo_not_jpeg"


def jpeg_segments(data: bytes) -> list[int]:
    """The marker codes of a JPEG's header segments, read by the JPEG spec (ITU T.81 B.1), up to the scan."""
    assert data[:2] == b"\xff\xd8"
    markers, position = [], 2
    while True:
        assert data[position] == 0xFF
        marker = data[position + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: the entropy-coded data follows
            return markers
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        position += 2 + length


def test_the_stored_copy_keeps_no_metadata_at_all():
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    original = io.BytesIO()
    Image.open(io.BytesIO(make_id_photo(exif=gps_exif()))).save(
        original,
        format="JPEG",
        exif=gps_exif(),
        comment=b"taken at Xihu by PhoneMaker",
        icc_profile=profile,
        xmp=b"<x:xmpmeta><rdf:Description GPSLatitude='30.25'/></x:xmpmeta>",
    )
    assert {0xE1, 0xE2, 0xFE} <= set(jpeg_segments(original.getvalue()))  # EXIF/XMP, ICC, comment

    stored = check_photo(upload(original.getvalue())).content

    # Only what a bare baseline JPEG needs: JFIF header, tables, frame, scan. No APP1-APP15, no comment.
    assert set(jpeg_segments(stored)) <= {0xE0, 0xDB, 0xC4, 0xC0, 0xC2, 0xDD, 0xDA}
    assert b"PhoneMaker" not in stored and b"Xihu" not in stored and b"GPS" not in stored
    assert stored.endswith(b"\xff\xd9")  # nothing after the end marker


def test_strips_exif_including_gps():
    original = make_id_photo(exif=gps_exif())
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)

    checked = check_photo(upload(original))

    reencoded = Image.open(io.BytesIO(checked.content))
    assert not reencoded.getexif()
    assert b"PhoneMaker" not in checked.content


def test_stored_name_is_built_from_the_id_number_without_revealing_it():
    number = "110105198506151234"

    name = photo_file_name(number)

    assert name == photo_file_name(number)
    assert name != photo_file_name("110105198506151242")
    assert number not in name


def png_chunks(data: bytes) -> list[bytes]:
    """The chunk types of a PNG (PNG spec 5.3: length, type, data, CRC)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, position = [], 8
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        chunks.append(data[position + 4 : position + 8])
        position += 12 + length
    return chunks


def test_a_scanned_document_keeps_no_metadata_either():
    from PIL import ImageCms, PngImagePlugin

    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "Zhang San, 13800138000")
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    original = io.BytesIO()
    Image.open(io.BytesIO(make_id_photo(image_format="PNG"))).save(
        original, format="PNG", pnginfo=text, icc_profile=profile
    )
    assert {b"tEXt", b"iCCP"} <= set(png_chunks(original.getvalue()))

    stored = check_document(SimpleUploadedFile("proof.png", original.getvalue()), field="guardian_proof").content

    assert set(png_chunks(stored)) <= {b"IHDR", b"IDAT", b"IEND"}
    assert b"13800138000" not in stored
