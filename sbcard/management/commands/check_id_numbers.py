"""List every stored resident ID number that fails the GB 11643 check: people, roster rows, appointments, proxies.

A portal that ran before the check character was computed correctly accepted about one wrong number in
eleven and stored wrongly upgraded 15-digit numbers. This command finds them so an admin can correct each
record (the person's admin page, the station for an appointment); it changes nothing by itself. It streams
the tables in chunks by primary key (a city has 3 million people), decrypting one chunk at a time, and
prints each number masked, with what is wrong and, when only the check character is, the one that fits.
"""

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.utils import timezone, translation

from sbcard.crypto import EncryptedCharField
from sbcard.idnumbers import check_character, mask_resident_id, normalise, parse_resident_id

CHUNK = 5000


def id_number_fields(model) -> list[str]:
    """The model's encrypted resident ID number fields (bank accounts are encrypted too, and not these)."""
    return [
        field.name
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedCharField) and field.name.endswith("id_number")
    ]


class Command(BaseCommand):
    help = "List stored resident ID numbers that fail the GB 11643 check (changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--chunk", type=int, default=CHUNK, help="rows read and decrypted at a time")

    def handle(self, *args, chunk: int, **options):
        translation.activate("zh-hans")  # the messages as the admin reads them
        today = timezone.localdate()
        total_failing = 0
        for model in apps.get_models():
            fields = id_number_fields(model)
            if not fields:
                continue
            checked, failing = self._check(model, fields, today, chunk)
            total_failing += failing
            self.stdout.write(f"{model._meta.label}: {checked} numbers checked, {failing} fail the check")
        self.stdout.write(f"in all: {total_failing} stored ID numbers fail the GB 11643 check")

    def _check(self, model, fields: list[str], today, chunk: int) -> tuple[int, int]:
        rows = model.objects.order_by("pk")
        if any(field.name == "accepted" for field in model._meta.concrete_fields):
            rows = rows.filter(accepted=True)  # a roster's refused rows are kept, refused, with their reasons
        checked = failing = 0
        last = 0
        while True:
            page = list(rows.filter(pk__gt=last).values_list("pk", *fields)[:chunk])
            if not page:
                return checked, failing
            for pk, *numbers in page:
                for field, number in zip(fields, numbers, strict=True):
                    if not number:
                        continue
                    checked += 1
                    problem = self._problem(number, today)
                    if problem:
                        failing += 1
                        self.stdout.write(
                            f"  {model._meta.label} id={pk} {field} {mask_resident_id(number)}: {problem}"
                        )
            last = page[-1][0]
            self.stderr.write(f"{model._meta.label}: up to id {last}", ending="\r")

    def _problem(self, number: str, today) -> str:
        try:
            parse_resident_id(number, today)
        except ValidationError as error:
            message = " ".join(error.messages)
            plain = normalise(number)
            if error.code == "invalid_id_check_digit":
                fits = check_character(plain[:17])
                return f"{message} [fits these 17 digits: …{plain[14:17]}{fits}]"
            return message
        return ""
