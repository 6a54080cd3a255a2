"""Issue 7: ID numbers, bank accounts and uploaded files are stored encrypted; lookups use a keyed hash; keys
rotate."""

from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.test import Client

from applications.models import CardApplication, Person
from sbcard.crypto import derive_key
from sbcard.storage import MAGIC

from . import factories

pytestmark = pytest.mark.django_db


def raw(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def test_the_stored_id_number_is_not_the_plain_number(alice_citizen):
    number = alice_citizen.person.id_number

    ((stored, stored_hash),) = raw(
        "SELECT id_number, id_number_hash FROM applications_person WHERE id = %s", [alice_citizen.person.pk]
    )

    assert number not in stored and number[-4:] not in stored and stored.startswith("enc1:")
    assert number not in stored_hash
    assert Person.objects.get(pk=alice_citizen.person.pk).id_number == number


def test_lookups_by_id_number_still_work_through_the_hash(alice_citizen, eve_citizen):
    number = alice_citizen.person.id_number

    assert Person.objects.get(id_number=number) == alice_citizen.person
    assert set(Person.objects.filter(id_number__in=[number, eve_citizen.person.id_number])) == {
        alice_citizen.person,
        eve_citizen.person,
    }
    assert Person.objects.get(id_number=number.lower()) == alice_citizen.person  # normalised


def test_the_bank_account_is_stored_encrypted(alice_citizen, station):
    card = factories.make_card(alice_citizen, station)
    account = card.application.bank_account_number

    ((stored,),) = raw(
        "SELECT bank_account_number FROM applications_cardapplication WHERE id = %s", [card.application_id]
    )

    assert account and account not in stored
    assert CardApplication.objects.get(pk=card.application_id).bank_account_number == account


def test_the_one_open_application_rule_holds_on_the_hash(alice_citizen, station):
    from applications.services import find_or_create_person

    again = find_or_create_person(name=alice_citizen.person.name, id_number=alice_citizen.person.id_number)

    assert again.pk == alice_citizen.person.pk
    assert Person.objects.count() == 1


def test_uploaded_photos_are_encrypted_on_disk_and_served_as_jpeg(alice_citizen, station):
    application = factories.make_application(alice_citizen, station)
    client = Client()
    client.force_login(alice_citizen)

    on_disk = Path(application.photo.image.path).read_bytes()
    served = b"".join(client.get(f"/applications/{application.pk}/photo/").streaming_content)

    assert on_disk.startswith(MAGIC) and b"\xff\xd8\xff" not in on_disk  # no JPEG inside, in clear
    assert served.startswith(b"\xff\xd8\xff") and len(served) == application.photo.size_bytes


def test_a_file_stored_before_encryption_is_read_as_it_is_and_encrypted_by_rotation(settings):
    storage = default_storage
    name = "photos/written-before-encryption.jpg"
    Path(storage.path(name)).parent.mkdir(parents=True, exist_ok=True)
    Path(storage.path(name)).write_bytes(b"\xff\xd8\xff plain old photo")

    assert storage.open(name).read() == b"\xff\xd8\xff plain old photo"
    call_command("rotate_keys", verbosity=0)
    assert Path(storage.path(name)).read_bytes().startswith(MAGIC)
    assert storage.open(name).read() == b"\xff\xd8\xff plain old photo"


def test_rotating_the_key_loses_nothing(alice_citizen, station, settings):
    card = factories.make_card(alice_citizen, station)
    number, account = alice_citizen.person.id_number, card.application.bank_account_number
    ((before,),) = raw("SELECT id_number FROM applications_person WHERE id = %s", [alice_citizen.person.pk])
    photo = factories.make_application(factories.make_citizen(), station).photo
    photo_before = Path(photo.image.path).read_bytes()
    with photo.image.open("rb") as image:
        jpeg = image.read()
    new_key = derive_key("the next key")

    settings.FIELD_ENCRYPTION_KEYS = [new_key, *settings.FIELD_ENCRYPTION_KEYS]
    call_command("rotate_keys", verbosity=0)
    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key is gone

    ((after,),) = raw("SELECT id_number FROM applications_person WHERE id = %s", [alice_citizen.person.pk])
    assert after != before
    assert Person.objects.get(pk=alice_citizen.person.pk).id_number == number
    assert Person.objects.get(id_number=number).pk == alice_citizen.person.pk
    assert CardApplication.objects.get(pk=card.application_id).bank_account_number == account
    assert Path(photo.image.path).read_bytes() != photo_before
    with photo.image.open("rb") as image:
        assert image.read() == jpeg  # opened with the new key alone


def test_without_the_key_the_data_cannot_be_read(alice_citizen, settings):
    settings.FIELD_ENCRYPTION_KEYS = [derive_key("a stranger's key")]

    with pytest.raises(ValueError):
        Person.objects.get(pk=alice_citizen.person.pk)
