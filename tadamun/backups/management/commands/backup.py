from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tadamun.backups.archive import create_backup, default_output, human_size
from tadamun.backups.crypto import BackupError, key_from_environment, new_key


class Command(BaseCommand):
    help = (
        "Write an encrypted backup of the database and the media files (MEDIA_ROOT). The key "
        "comes from BACKUP_KEY or BACKUP_KEY_FILE; --new-key prints a fresh one."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            help="Where to write the backup (default: VAR_DIR/backups/tadamun-DATE-TIME.tdb).",
        )
        parser.add_argument(
            "--new-key", action="store_true", help="Print a fresh BACKUP_KEY and stop."
        )

    def handle(self, *args, output=None, **options):
        if options["new_key"]:
            self.stdout.write(new_key())
            return
        try:
            key = key_from_environment()
            result = create_backup(output or default_output(), key=key, progress=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Backup written: {result.path} ({human_size(result.size)})")
        )
