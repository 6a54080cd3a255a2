import io
import struct

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from applications.photos import check_photo, photo_file_name
from demo.photos import make_id_photo
from sbcard.errors import InvalidInput


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


def test_refuses_a_photo_over_40_kb_before_opening_it(monkeypatch):
    opened = []
    monkeypatch.setattr("applications.photos.open_image", lambda *a, **k: opened.append(1))
    big = make_id_photo(quality=100) + b"\0" * 41 * 1024  # still a JPEG, padded past the limit

    error = refusal(big)

    assert error.code == "file_too_large"
    assert opened == []


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
