"""`manage.py import_mbox <workgroup> <file.mbox>`: bring an existing list's history in.

Reads Mailman 2 (pipermail) and Google Groups (Takeout) mbox files as a stream, one message
at a time. Each becomes a published post as of its own date, threaded, never mailed out.
Running it again imports nothing twice (messages are recognised by Message-ID).
"""

import mailbox
import time
from datetime import UTC, datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tadamun.lists.inbound import import_archived_message
from tadamun.workgroups.models import Workgroup

PROGRESS_EVERY = 100


def from_line_date(from_line: str) -> datetime | None:
    """The date of an mbox "From sender Mon Jan  1 12:00:00 2024" line (asctime, UTC)."""
    words = from_line.split()
    for start in range(1, max(1, len(words) - 4)):
        candidate = " ".join(words[start : start + 5])
        try:
            return datetime.strptime(candidate, "%a %b %d %H:%M:%S %Y").replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


class Command(BaseCommand):
    help = "Import an mbox archive (Mailman 2 pipermail, Google Groups) into a workgroup."

    def add_arguments(self, parser):
        parser.add_argument("workgroup", help="the workgroup's short name (slug)")
        parser.add_argument("mbox", type=Path)

    def handle(self, *args, workgroup, mbox, **options):
        try:
            workgroup = Workgroup.objects.get(slug=workgroup)
        except Workgroup.DoesNotExist as exc:
            raise CommandError(f"no workgroup {workgroup!r}") from exc
        if not mbox.is_file():
            raise CommandError(f"no such file: {mbox}")
        archive = mailbox.mbox(mbox, create=False)
        counts = {"imported": 0, "duplicate": 0, "fragment": 0, "failed": 0}
        started = time.monotonic()
        try:
            keys = archive.keys()  # one pass over the file for the offsets; messages stay on disk
            total = len(keys)
            last_date = None
            for done, key in enumerate(keys, start=1):
                raw = archive.get_bytes(key)
                with archive.get_file(key, from_=True) as message_file:
                    from_line = message_file.readline().decode("latin-1")
                fallback = from_line_date(from_line) or last_date
                try:
                    result = import_archived_message(
                        workgroup=workgroup, raw=raw, fallback_date=fallback
                    )
                except Exception as exc:
                    counts["failed"] += 1
                    self.stderr.write(
                        f"message {done}: not imported ({exc.__class__.__name__}: {exc})"
                    )
                    continue
                counts[result.outcome] += 1
                if result.post is not None:
                    last_date = result.post.created
                if done % PROGRESS_EVERY == 0 or done == total:
                    self.stdout.write(
                        f"imported {counts['imported']}/{total} "
                        f"(read {done}, {counts['duplicate']} already there, "
                        f"{counts['fragment']} fragments, {counts['failed']} failed)"
                    )
        finally:
            archive.close()
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"done in {elapsed:.1f}s: {counts['imported']} imported, "
                f"{counts['duplicate']} already there, {counts['fragment']} fragments skipped, "
                f"{counts['failed']} failed"
            )
        )
