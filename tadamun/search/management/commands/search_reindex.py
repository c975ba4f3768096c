"""`manage.py search_reindex [--kind social.post ...]`: rebuild the search index from the
content — every item of the searchable kinds indexed again (file text extracted where it is
missing), entries of deleted items dropped — with progress and speed on the way."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from tadamun.search import services
from tadamun.search.documents import searchable_kinds
from tadamun.search.engines import engine_for


class Command(BaseCommand):
    help = "Rebuild the search index (all searchable kinds, or those given with --kind)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--kind",
            action="append",
            dest="kinds",
            metavar="KEY",
            help="A kind of content to index again, e.g. social.post (repeatable).",
        )

    def handle(self, *args, kinds=None, verbosity=1, **options):
        known = [kind.key for kind in searchable_kinds()]
        unknown = sorted(set(kinds or ()) - set(known))
        if unknown:
            raise CommandError(
                f"Unknown kind {', '.join(unknown)}; choose among {', '.join(known)}"
            )

        def progress(step: services.Progress) -> None:
            if verbosity < 1:
                return
            line = f"{step.kind}: {step.done}/{step.total}"
            self.stdout.write(line, ending="\n" if step.done == step.total else "\r")
            self.stdout.flush()

        started = time.monotonic()
        done = services.reindex(kinds=kinds, on_progress=progress)
        if not kinds:
            # A full rebuild makes the full-text structures again from the entries as well.
            engine_for(connection).rebuild()
        elapsed = max(time.monotonic() - started, 1e-6)
        self.stdout.write(
            self.style.SUCCESS(
                f"Indexed {done} items in {elapsed:.1f} s ({done / elapsed:.0f} documents/second)."
            )
        )
