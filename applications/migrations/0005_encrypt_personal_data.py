"""ID numbers and bank account numbers encrypted at rest; people found by a keyed hash of the number."""

from django.db import migrations, models

import sbcard.crypto
import sbcard.idnumbers


def encrypt_existing(apps, schema_editor):
    from sbcard.crypto import keyed_hash

    Person = apps.get_model("applications", "Person")
    CardApplication = apps.get_model("applications", "CardApplication")
    # Reading decrypts (or passes plain text through); saving encrypts.
    for person in Person.objects.all().iterator(chunk_size=2000):
        person.id_number_hash = keyed_hash(person.id_number)
        person.save(update_fields=["id_number", "id_number_hash"])
    for application in CardApplication.objects.exclude(bank_account_number="").iterator(chunk_size=2000):
        application.save(update_fields=["bank_account_number"])


class Migration(migrations.Migration):
    dependencies = [("applications", "0004_cardapplication_photo_on_file_at_registry")]

    operations = [
        migrations.AddField(
            model_name="person", name="id_number_hash", field=models.CharField(max_length=64, null=True, editable=False)
        ),
        migrations.AlterField(
            model_name="person",
            name="id_number",
            field=sbcard.crypto.EncryptedCharField(
                hash_field="id_number_hash", max_length=18, validators=[sbcard.idnumbers.validate_resident_id],
                verbose_name="resident ID number",
            ),
        ),
        migrations.AlterField(
            model_name="cardapplication",
            name="bank_account_number",
            field=sbcard.crypto.EncryptedCharField(blank=True, editable=False, max_length=19, verbose_name="bank account"),
        ),
        migrations.RunPython(encrypt_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="person",
            name="id_number_hash",
            field=models.CharField(max_length=64, unique=True, editable=False),
        ),
    ]
