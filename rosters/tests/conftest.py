"""Shared set-up for the roster tests: an approved employer's agent, uploads, and registry records."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rosters import services


@pytest.fixture
def agent(carol_employer):
    return carol_employer


def known_to_registry(partners, rows, *, has_id_photo: bool = True) -> None:
    """The information centre has these people (with their ID photo unless told otherwise)."""
    with partners["registry"].lock:
        for row in rows:
            partners["registry"].records[row["id_number"]] = {
                "id_number": row["id_number"],
                "name": row["name"],
                "household_city": "杭州市",
                "has_id_photo": has_id_photo,
            }


def upload(agent, content: bytes, name: str = "roster.xlsx", photos: bytes | None = None, corrects=None):
    batch, _is_new = services.upload_roster(
        actor=agent,
        roster=SimpleUploadedFile(name, content),
        photos=SimpleUploadedFile("photos.zip", photos, content_type="application/zip") if photos else None,
        corrects=corrects,
    )
    return batch
