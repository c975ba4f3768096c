"""`manage.py send_digests`: the daily digests (run once a day, e.g. from cron)."""

from django.core.management.base import BaseCommand

from tadamun.lists.digests import send_digests


class Command(BaseCommand):
    help = "Send each digest subscriber the posts published since their last digest."

    def handle(self, *args, **options):
        sent = send_digests()
        self.stdout.write(f"{sent} digest(s) sent")
