"""`manage.py periodic`: the recurring jobs of the lists, once, or every N seconds with
--loop (what `make run` does; in production run it hourly from cron or a systemd timer).

- daily digests (each subscriber at most once a day, whatever the frequency of this job);
- held posts past their list's expiry are discarded;
- deliveries that are due (retries after a deferral) are handed to the task worker;
- subscription requests never confirmed are forgotten after a week;
- petitions: confirmation mail due (retries, reminders to the unconfirmed), updates to signers
  and mail to targets due, signers' personal data anonymised once its time has come;
- what the site no longer needs is removed (tadamun.privacy.retention: ended sessions, old task
  results, raw bytes of handled inbound mail, old caught development mail).
"""

import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from tadamun.lists.digests import send_digests
from tadamun.lists.models import Subscription
from tadamun.lists.subscriptions import CONFIRM_MAX_AGE
from tadamun.workgroups.services import expire_held_posts


def run_once() -> dict[str, int]:
    from tadamun.lists.delivery import pending_count
    from tadamun.lists.tasks import deliver_due_task
    from tadamun.notifications.digests import send_notification_digests
    from tadamun.petitions.anonymise import anonymise_due
    from tadamun.petitions.delivery import deliver_office_due
    from tadamun.petitions.outbox import send_due_mail
    from tadamun.privacy.retention import purge_due

    digests = send_digests()
    expired = expire_held_posts()
    forgotten, _ = Subscription.objects.filter(
        status=Subscription.Status.PENDING,
        user__isnull=True,
        created__lt=timezone.now() - CONFIRM_MAX_AGE,
    ).delete()
    due = pending_count(due_only=True)
    if due:
        deliver_due_task.enqueue()
    return {
        "digests": digests,
        "expired": expired,
        "forgotten": forgotten,
        "due": due,
        "notification_digests": send_notification_digests(),
        "petition_mail": send_due_mail().get("sent", 0),
        "petition_office_mail": deliver_office_due().sent,
        "signatures_anonymised": anonymise_due(),
        **{f"purged_{name}": count for name, count in purge_due().items()},
    }


class Command(BaseCommand):
    help = "Run the lists' recurring jobs (digests, held-post expiry, retries) once or in a loop."

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=int, default=0, metavar="SECONDS")

    def handle(self, *args, loop: int = 0, **options):
        while True:
            report = run_once()
            self.stdout.write(" ".join(f"{key}={value}" for key, value in report.items()))
            if not loop:
                return
            time.sleep(loop)
            # A long-running process drops connections the database may have closed meanwhile.
            close_old_connections()
