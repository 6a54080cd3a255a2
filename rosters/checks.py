"""The dry run: every row of a roster checked, in chunks, and stored with its refusals.

For each chunk of rows (ROSTER_CHUNK_ROWS) the database is asked a fixed number of questions (people
on file, open applications, cards held) and the information centre answers one batch request, so the
number of queries and calls grows with chunks, never with rows. Photos come from the ZIP, named by ID
number (rule 18), and go through the same checks as an online photo.

Each chunk's rows are written as they are checked, with the progress the page polls. A dry run that
stops half way (a killed worker) starts again from the top when the job runs again: it deletes what it
wrote first, so a batch never holds half a report.
"""

import datetime
import hashlib
import logging
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import OPEN_STATUSES, ApplicationKind, CardApplication, Person, Status
from applications.photos import check_photo, photo_file_name
from issuance.models import Card, CardStatus
from partners.registry.client import RegistryClient
from sbcard.bulk import insert_rows
from sbcard.crypto import encrypt, keyed_hash
from sbcard.errors import InvalidInput
from sbcard.idnumbers import parse_resident_id
from sbcard.validators import validate_mobile_phone, validate_person_name

from .models import RosterBatch, RosterRow
from .reading import (
    HEADER_BY_KEY,
    INSURANCE_BY_TEXT,
    INSURANCE_CHOICES,
    RawRow,
    open_zip_safely,
    parse_roster,
    read_member,
)

logger = logging.getLogger("rosters")

PHOTO_COLUMN = "照片"  # not a column of the sheet: the photo in the ZIP, or uploaded for the row
ROW_PHOTO_DIR = "roster-row-photos"
NAME_MARKS = set("·• ")
PHOTO_NAME = re.compile(r"^(\d{17}[\dX]|\d{15})\.JPE?G$")
CARD_GONE = (CardStatus.REPLACED, CardStatus.EXCHANGED)


@dataclass
class Checked:
    raw: RawRow
    name: str = ""
    id_number: str = ""
    id_number_hash: str = ""
    birth_date: datetime.date | None = None
    sex: str = ""
    phone: str = ""
    insurance_type: str = ""
    household_city: str = ""
    address: str = ""
    refusals: list[dict] = field(default_factory=list)
    photo_on_file_at_registry: bool = False
    upgraded_from_15: bool = False
    photo_file: str = ""
    photo_sha256: str = ""
    photo_size_bytes: int = 0

    @property
    def accepted(self) -> bool:
        return not self.refusals

    def refuse(self, key: str, message) -> None:
        self.refusals.append({"column": HEADER_BY_KEY.get(key, key), "message": str(message)})


class PhotoArchive:
    """The ZIP of photos, indexed by the ID number in each file's name; names are never used as paths."""

    def __init__(self, data: bytes):
        self.archive = open_zip_safely(
            data,
            max_unpacked=settings.PHOTO_ZIP_MAX_BYTES,
            max_members=settings.PHOTO_ZIP_MAX_FILES,
            field="photos",
            what=_("The ZIP of photos"),
        )
        self.members = {}
        self.unnamed = 0
        for member in self.archive.infolist():
            if member.is_dir() or "__MACOSX" in member.filename:
                continue
            match = PHOTO_NAME.match(PurePosixPath(member.filename.replace("\\", "/")).name.upper())
            if match is None:
                self.unnamed += 1
                continue
            number = match.group(1)
            if len(number) == 15:
                try:
                    number = parse_resident_id(number).number
                except ValidationError:
                    self.unnamed += 1
                    continue
            self.members[number] = member

    def photo(self, id_number: str) -> tuple[str, bytes | None]:
        """('missing' | 'too_large' | 'ok', bytes)."""
        member = self.members.get(id_number)
        if member is None:
            return "missing", None
        if member.file_size > settings.PHOTO_MAX_BYTES:
            return "too_large", None
        data = read_member(self.archive, member, settings.PHOTO_MAX_BYTES)
        return ("too_large", None) if data is None else ("ok", data)


def row_photo_name(batch_id: int, id_number: str) -> str:
    """Where a photo uploaded for one row (the API) is kept until the batch is checked again."""
    return f"{ROW_PHOTO_DIR}/{batch_id}/{photo_file_name(id_number)}"


class BatchPhotos:
    """The photos a batch's rows can use: one uploaded for the row itself (the API), else the ZIP's."""

    def __init__(self, batch: RosterBatch, archive: PhotoArchive | None):
        self.archive = archive
        self.batch_id = batch.pk
        self.unnamed = archive.unnamed if archive is not None else 0
        try:  # one listing for the batch, not a storage call per row
            self.uploaded = set(default_storage.listdir(f"{ROW_PHOTO_DIR}/{batch.pk}")[1])
        except FileNotFoundError:
            self.uploaded = set()

    def photo(self, id_number: str) -> tuple[str, bytes | None]:
        """('missing' | 'too_large' | 'ok', bytes)."""
        name = row_photo_name(self.batch_id, id_number)
        if name.rsplit("/", 1)[1] in self.uploaded:
            with default_storage.open(name, "rb") as stored:
                data = stored.read(settings.PHOTO_MAX_BYTES + 1)
            return ("too_large", None) if len(data) > settings.PHOTO_MAX_BYTES else ("ok", data)
        return self.archive.photo(id_number) if self.archive is not None else ("missing", None)


def check_fields(raw: RawRow, today: datetime.date) -> Checked:
    values = raw.values
    row = Checked(raw=raw)
    for key, message in raw.problems or ():
        row.refuse(key, message)
    name = values.get("name", "").strip()
    try:
        validate_person_name(name)
        if not all(ch.isalpha() or ch in NAME_MARKS for ch in name) or name[0] in NAME_MARKS:
            raise ValidationError(_("A name has letters only (and · between parts), as on the resident ID card."))
        row.name = name
    except ValidationError as error:
        row.refuse("name", " ".join(error.messages))
    if not any(refusal["column"] == HEADER_BY_KEY["id_number"] for refusal in row.refusals):
        try:
            resident = parse_resident_id(values.get("id_number", ""), today)
            row.id_number, row.birth_date, row.sex = resident.number, resident.birth_date, resident.sex
            row.id_number_hash = keyed_hash(resident.number)
            row.upgraded_from_15 = resident.upgraded_from_15
        except ValidationError as error:
            row.refuse("id_number", " ".join(error.messages))
    phone = re.sub(r"[\s-]", "", values.get("phone", ""))
    phone = phone[3:] if phone.startswith("+86") else phone
    try:
        validate_mobile_phone(phone)
        row.phone = phone
    except ValidationError as error:
        row.refuse("phone", " ".join(error.messages))
    insurance = INSURANCE_BY_TEXT.get(values.get("insurance_type", "").strip())
    if insurance is None:
        row.refuse(
            "insurance_type",
            _("Choose one of: %(choices)s.") % {"choices": "、".join(INSURANCE_CHOICES)},
        )
    else:
        row.insurance_type = insurance
    for key, limit in (("household_city", 60), ("address", 200)):
        text = values.get(key, "").strip()
        if not text:
            row.refuse(key, _("This cell is empty; fill it in."))
        elif len(text) > limit:
            row.refuse(key, _("At most %(limit)d characters.") % {"limit": limit})
        else:
            setattr(row, key, text)
    return row


def _check_against_records(rows: list[Checked]) -> None:
    """People on file under another name, open applications and cards held: three queries per chunk."""
    hashes = [row.id_number_hash for row in rows if row.accepted]
    if not hashes:
        return
    names = dict(Person.objects.filter(id_number_hash__in=hashes).values_list("id_number_hash", "name"))
    open_applications = dict(
        CardApplication.objects.filter(
            person__id_number_hash__in=hashes, kind=ApplicationKind.NEW, status__in=OPEN_STATUSES
        ).values_list("person__id_number_hash", "status")
    )
    holders = set(
        Card.objects.filter(person__id_number_hash__in=hashes)
        .exclude(status__in=CARD_GONE)
        .values_list("person__id_number_hash", flat=True)
    )
    for row in rows:
        if not row.accepted:
            continue
        if row.id_number_hash in names and names[row.id_number_hash] != row.name:
            row.refuse("name", _("Our record for this ID number has another name; enter it exactly as on the ID card."))
        if row.id_number_hash in holders:
            row.refuse(
                "id_number",
                _("This person already holds a social security card; a lost or damaged card is replaced instead."),
            )
        elif row.id_number_hash in open_applications:
            row.refuse(
                "id_number",
                _("This person already has an open application (%(status)s); it is not filed twice.")
                % {"status": Status(open_applications[row.id_number_hash]).label},
            )


def _check_with_registry(rows: list[Checked], client: RegistryClient) -> None:
    """Rules 7, 8: the information centre's record, one request per chunk."""
    candidates = [row for row in rows if row.accepted]
    if not candidates:
        return
    answers = client.lookup_batch(
        [{"id_number": row.id_number, "name": row.name} for row in candidates], chunk=settings.ROSTER_CHUNK_ROWS
    )
    for row, answer in zip(candidates, answers, strict=True):
        result = answer.get("result")
        if result == "match":
            row.photo_on_file_at_registry = bool(answer.get("has_id_photo"))
        elif result == "mismatch":
            held = (answer.get("record") or {}).get("name", "")
            row.refuse(
                "name",
                _(
                    "The city information centre holds the name as “%(held)s”. If that is right, correct the roster; "
                    "if not, the person has it corrected at the household registration office (派出所) first."
                )
                % {"held": held}
                if held
                else _(
                    "The city information centre's record has a different name; enter it exactly as on the ID card."
                ),
            )
        else:
            row.refuse(
                "id_number",
                _(
                    "The city information centre has no household record for this person: register the household "
                    "first (户籍登记)."
                ),
            )


def _check_photos(rows: list[Checked], photos: BatchPhotos, batch: RosterBatch) -> None:
    today = timezone.localdate()
    for row in rows:
        if not row.accepted or row.photo_on_file_at_registry:
            continue
        if Person(birth_date=row.birth_date).is_pre_school(today):
            continue  # rule 17: no photo on a pre-school child's card
        state, data = photos.photo(row.id_number)
        if state == "missing" and batch.file_format == RosterBatch.Format.JSON:
            row.refuse(
                PHOTO_COLUMN,
                _(
                    "No photo: the information centre has no ID photo for this person. Upload one for row "
                    "%(line)d, then check the batch again."
                )
                % {"line": row.raw.line},
            )
            continue
        if state == "missing":
            row.refuse(
                PHOTO_COLUMN,
                _(
                    "No photo: the information centre has no ID photo for this person, and the ZIP has no file "
                    "named %(name)s."
                )
                % {"name": f"{row.id_number}.jpg"},
            )
            continue
        if state == "too_large":
            row.refuse(PHOTO_COLUMN, _("The photo is larger than 40 KB."))
            continue
        try:
            checked = check_photo(SimpleUploadedFile(f"{row.id_number}.jpg", data, content_type="image/jpeg"))
        except InvalidInput as error:
            row.refuse(PHOTO_COLUMN, error.message)
            continue
        name = f"roster-photos/{batch.pk}/{photo_file_name(row.id_number)}"
        if default_storage.exists(name):
            default_storage.delete(name)  # a dry run that runs again
        row.photo_file = default_storage.save(name, ContentFile(checked.content))
        row.photo_sha256 = checked.sha256
        row.photo_size_bytes = len(checked.content)


ROW_COLUMNS = (
    "batch_id",
    "line",
    "name",
    "id_number",
    "id_number_hash",
    "birth_date",
    "sex",
    "phone",
    "insurance_type",
    "household_city",
    "address",
    "accepted",
    "refusals",
    "photo_on_file_at_registry",
    "photo_file",
    "photo_sha256",
    "photo_size_bytes",
)


def _row_values(batch: RosterBatch, row: Checked) -> tuple:
    """The row as stored (ROW_COLUMNS), its ID number encrypted as RosterRow.id_number stores it."""
    values = row.raw.values
    id_number = (row.id_number or values.get("id_number", ""))[:18]
    phone = (row.phone or values.get("phone", ""))[:20]
    return (
        batch.pk,
        row.raw.line,
        (row.name or values.get("name", ""))[:60],
        encrypt(id_number) if id_number else "",
        row.id_number_hash,
        row.birth_date,
        row.sex,
        phone,
        (row.insurance_type or values.get("insurance_type", ""))[:24],
        (row.household_city or values.get("household_city", ""))[:60],
        (row.address or values.get("address", ""))[:200],
        row.accepted,
        row.refusals,
        row.photo_on_file_at_registry,
        row.photo_file,
        row.photo_sha256,
        row.photo_size_bytes,
    )


def row_fingerprint(row: RosterRow | Checked) -> str:
    return "|".join((row.id_number, row.name, row.phone, row.insurance_type, row.household_city, row.address))


def check_batch(batch_id: int, *, roster: bytes, photos: bytes | None) -> RosterBatch | None:
    """Run the dry run of a batch in `checking`. Raises partners' TransientError when the information
    centre does not answer (the job retries); every other problem ends in a report or `unreadable`."""
    batch = RosterBatch.objects.filter(pk=batch_id, state=RosterBatch.State.CHECKING).first()
    if batch is None:
        return None  # done already: a redelivered job
    RosterRow.objects.filter(batch=batch).delete()
    RosterBatch.objects.filter(pk=batch.pk).update(rows_checked=0)
    try:
        parsed = parse_roster(roster, batch.file_name)
        photo_source = BatchPhotos(batch, PhotoArchive(photos) if photos else None)
    except InvalidInput as error:
        RosterBatch.objects.filter(pk=batch.pk).update(
            state=RosterBatch.State.UNREADABLE, problem=str(error.message), checked_at=timezone.now()
        )
        return RosterBatch.objects.get(pk=batch.pk)
    RosterBatch.objects.filter(pk=batch.pk).update(
        total_rows=len(parsed.rows), encoding=parsed.encoding, file_format=parsed.file_format
    )
    client = RegistryClient()
    first_line: dict[str, int] = {}
    # The accepted rows' fingerprint, whatever their order: a sum of the rows' hashes (constant memory).
    fingerprint_sum = 0
    accepted = refused = 0
    upgraded_lines: list[int] = []
    size = settings.ROSTER_CHUNK_ROWS
    for start in range(0, len(parsed.rows), size):
        today = timezone.localdate()
        rows = [check_fields(raw, today) for raw in parsed.rows[start : start + size]]
        parsed.rows[start : start + size] = [None] * len(rows)  # read rows are not kept once checked
        for row in rows:
            if not row.id_number:
                continue
            if row.id_number in first_line:
                row.refuse(
                    "id_number",
                    _("The same ID number is already on row %(line)d.") % {"line": first_line[row.id_number]},
                )
            else:
                first_line[row.id_number] = row.raw.line
        _check_against_records(rows)
        _check_with_registry(rows, client)
        _check_photos(rows, photo_source, batch)
        with transaction.atomic():
            insert_rows(RosterRow, ROW_COLUMNS, (_row_values(batch, row) for row in rows))
            RosterBatch.objects.filter(pk=batch.pk).update(rows_checked=F("rows_checked") + len(rows))
        for row in rows:
            if row.upgraded_from_15:
                upgraded_lines.append(row.raw.line)
            if row.accepted:
                accepted += 1
                digest = hashlib.sha256(row_fingerprint(row).encode()).digest()
                fingerprint_sum = (fingerprint_sum + int.from_bytes(digest[:16], "big")) % (1 << 128)
            else:
                refused += 1
    digest = hashlib.sha256(f"{accepted}:{fingerprint_sum}".encode()).hexdigest() if accepted else ""
    notes = []
    if photo_source.unnamed:
        notes.append(
            _(
                "%(count)d files in the ZIP are not named by an ID number (such as 11010519491231002X.jpg) and were "
                "not used."
            )
            % {"count": photo_source.unnamed}
        )
    if upgraded_lines:
        notes.append(
            _(
                "%(count)d rows (%(lines)s) have an old 15-digit ID number: each was taken as its 18-digit form "
                "(GB 11643), the number the card will carry."
            )
            % {"count": len(upgraded_lines), "lines": "、".join(str(line) for line in upgraded_lines[:20])}
        )
    problem = " ".join(str(note) for note in notes)
    RosterBatch.objects.filter(pk=batch.pk, state=RosterBatch.State.CHECKING).update(
        state=RosterBatch.State.CHECKED,
        accepted_rows=accepted,
        refused_rows=refused,
        rows_sha256=digest,
        problem=problem,
        checked_at=timezone.now(),
    )
    logger.info("roster batch=%s checked: %s accepted, %s refused", batch.pk, accepted, refused)
    return RosterBatch.objects.get(pk=batch.pk)
