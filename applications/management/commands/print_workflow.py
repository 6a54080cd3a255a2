from django.core.management.base import BaseCommand

from applications.workflow import mermaid_diagram


class Command(BaseCommand):
    help = "Print the application status table as a Mermaid state diagram (for the README)."

    def handle(self, *args, **options):
        self.stdout.write(mermaid_diagram())
