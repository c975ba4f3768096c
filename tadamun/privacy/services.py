"""Writes of the privacy app: a person's own data, packed into a ZIP archive."""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from typing import IO

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from tadamun.accounts.models import User
from tadamun.core.audit import audit
from tadamun.core.models import AuditEvent
from tadamun.privacy.selectors import personal_data_of

DATA_EXPORTED = AuditEvent.Action.DATA_EXPORTED

# One export per person per this many seconds: building an archive reads every table.
EXPORT_INTERVAL = 60


class ExportTooSoon(Exception):
    """The person asked for an export less than EXPORT_INTERVAL seconds ago."""


def _claim_export_slot(user: User) -> bool:
    # cache.add writes only when the key is absent: atomic on Redis and the database cache.
    return cache.add(f"privacy:export:{user.pk}", "1", EXPORT_INTERVAL)


def data_export_build(*, user: User) -> IO[bytes]:
    """The person's data as a ZIP archive in a temporary file (deleted when closed), read
    from its start: `data.json` and `attachments/` with the files they uploaded. Raises
    ExportTooSoon at most once a minute per person; each export is written to the audit log."""
    if not _claim_export_slot(user):
        raise ExportTooSoon
    data, files = personal_data_of(user)
    data = {"exported": timezone.now().isoformat(), **data, "missing_files": []}
    # Returned open: the response streams it and closes it (which deletes it).
    archive = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
            added: set[str] = set()
            for item in files:
                if item.path in added:
                    continue
                try:
                    with item.file.open("rb") as source, zipped.open(item.path, "w") as target:
                        # Copied in chunks: large files are never held in memory whole.
                        shutil.copyfileobj(source, target, 1024 * 1024)
                except OSError:
                    data["missing_files"].append(item.path)
                    continue
                added.add(item.path)
            zipped.writestr(
                "data.json",
                json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
            )
    except BaseException:
        archive.close()
        raise
    archive.seek(0)
    audit(DATA_EXPORTED, actor=user, subject=user, files=len(added))
    return archive
