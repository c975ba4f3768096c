from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from tadamun.backups.archive import restore_backup
from tadamun.backups.crypto import BackupError, key_from_environment


class Command(BaseCommand):
    help = (
        "Replace the database and the media files with those of an encrypted backup. The whole "
        "file is decrypted and verified before anything is changed. Stop the site first."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The backup file (.tdb).")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, path, yes=False, **options):
        try:
            key = key_from_environment()
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if not path.is_file():
            raise CommandError(f"No such backup file: {path}")
        if not yes:
            database = connection.settings_dict["NAME"]
            self.stdout.write(
                f"This REPLACES the database {database} and every file under "
                f"{settings.MEDIA_ROOT} with the contents of {path}."
            )
            try:
                answer = input("Type 'yes' to continue: ")
            except EOFError:
                answer = ""
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled; nothing was changed.")
        try:
            result = restore_backup(path, key=key, progress=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = result.manifest
        self.stdout.write(f"Backup of {manifest['created']} ({manifest['vendor']}):")
        for table, count in sorted(result.table_counts.items()):
            expected = manifest["tables"].get(table)
            mark = "ok" if count == expected else f"EXPECTED {expected}"
            self.stdout.write(f"  {table}: {count} rows {mark}")
        self.stdout.write(f"  media: {result.media_checked} files checked by sha256")
        for note in result.notes:
            self.stdout.write(self.style.WARNING(note))
        if result.differences:
            for difference in result.differences:
                self.stderr.write(f"  {difference}")
            raise CommandError(
                f"The restore finished with {len(result.differences)} differences from the "
                "backup's manifest (listed above)."
            )
        self.stdout.write(self.style.SUCCESS("Restore complete: 0 differences."))
