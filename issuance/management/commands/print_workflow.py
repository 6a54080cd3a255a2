"""manage.py print_workflow [--cards]: a status table as a Mermaid state diagram, for the README. It lives with
the card table, the higher of the two apps, so that it can print both."""

from django.core.management.base import BaseCommand

from applications.workflow import mermaid_diagram
from issuance.lifecycle import mermaid_card_diagram


class Command(BaseCommand):
    help = "Print a status table as a Mermaid state diagram (for the README): applications, or --cards."

    def add_arguments(self, parser):
        parser.add_argument("--cards", action="store_true", help="The card table instead of the application table.")

    def handle(self, *args, cards: bool = False, **options):
        self.stdout.write(mermaid_card_diagram() if cards else mermaid_diagram())
