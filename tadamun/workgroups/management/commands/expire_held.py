"""Discard held messages older than their list's `held_expiry_days` (run daily, e.g. cron)."""

from django.core.management.base import BaseCommand

from tadamun.workgroups.services import expire_held_posts


class Command(BaseCommand):
    help = "Discard held workgroup messages that waited longer than their list allows."

    def handle(self, *args, **options):
        expired = expire_held_posts()
        if options.get("verbosity", 1) >= 1:
            self.stdout.write(f"expire_held: {expired} held message(s) discarded.")
