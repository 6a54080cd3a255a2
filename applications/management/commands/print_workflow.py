from django.core.management.base import BaseCommand

from applications.workflow import mermaid_diagram


class Command(BaseCommand):
    help = "Print a status table as a Mermaid state diagram (for the README): applications, or --cards."

    def add_arguments(self, parser):
        parser.add_argument("--cards", action="store_true", help="The card table instead of the application table.")

    def handle(self, *args, cards: bool = False, **options):
        if cards:
            from issuance.lifecycle import mermaid_card_diagram

            self.stdout.write(mermaid_card_diagram())
        else:
            self.stdout.write(mermaid_diagram())
