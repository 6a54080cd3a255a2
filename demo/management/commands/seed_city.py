"""manage.py seed_city --people N: fill an empty database with a realistic synthetic city (see demo.city)."""

import random
import time

from django.core.management.base import BaseCommand, CommandError

from applications.models import CardApplication, Person
from dashboards.summaries import summarise
from demo.city.city import City


class Command(BaseCommand):
    help = "Fill an empty database with a synthetic city of --people people (3,000,000 for a real city)."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=30_000)
        parser.add_argument("--random-seed", type=int, default=6)
        parser.add_argument("--no-summarise", action="store_true", help="Leave the dashboards' summaries empty.")

    def handle(self, *args, people: int, random_seed: int, no_summarise: bool, verbosity: int, **options):
        if people < 100:
            raise CommandError("--people must be at least 100")
        if CardApplication.objects.exists() or Person.objects.exists():
            raise CommandError("The database already has people or applications: seed_city fills an empty one.")
        random.seed(random_seed)
        city = City(people, self.stdout if verbosity else None)
        city.build()
        if not no_summarise:
            started = time.monotonic()
            city.say("summarising the history for the dashboards ...")
            report = summarise(progress=lambda log, total, count: city.say(f"  {log}: {total:,} folded"))
            city.say(
                f"summaries: {report.status_events:,} status and {report.card_events:,} card events folded "
                f"in {time.monotonic() - started:.1f}s"
            )
        city.say(f"done in {time.monotonic() - city.started:.1f}s")
