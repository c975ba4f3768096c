"""`manage.py reprocess_inbound`: handle again the received messages marked FAILED."""

from django.core.management.base import BaseCommand

from tadamun.lists.inbound import reprocess_failed


class Command(BaseCommand):
    help = "Process again the inbound list messages whose processing failed (their raw is kept)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None)

    def handle(self, *args, limit, **options):
        handled, failed = reprocess_failed(limit=limit)
        self.stdout.write(f"handled {handled}, still failing {failed}")
