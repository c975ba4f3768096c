"""Backups of the database and the media files, and their restore.

A backup is one encrypted file (tadamun.backups.crypto) holding a tar stream:

    database.sqlite3 | database.pgdump   the database (SQLite's online backup, or pg_dump's
                                         custom format, taken in one snapshot)
    media/…                              every file and folder under MEDIA_ROOT
    manifest.json                        last, so that the media hashes are those of the bytes
                                         in the archive: format version, creation time,
                                         database vendor, latest migration per app, rows per
                                         table, size and sha256 of every media file

A restore decrypts and unpacks the whole file into a private folder first: a wrong key, a
damaged or truncated file stops it before anything is touched. Then it replaces the database
(SQLite: the backup API, one transaction; PostgreSQL: psql --single-transaction) and swaps the
media folder in with a rename, and finally counts rows and hashes files against the manifest.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import connection

from tadamun.backups.crypto import (
    BackupCorruptError,
    BackupError,
    DecryptingReader,
    EncryptingWriter,
)

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA = "media"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
SUPPORTED_VENDORS = tuple(DATABASE_FILES)
READ_SIZE = 1 << 20

Progress = Callable[[str], None]


def _quiet(message: str) -> None:
    pass


@dataclass
class BackupResult:
    path: Path
    size: int
    manifest: dict


@dataclass
class RestoreResult:
    manifest: dict
    table_counts: dict[str, int]
    media_checked: int
    differences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def default_output() -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return Path(settings.VAR_DIR) / "backups" / f"tadamun-{stamp}.tdb"


def human_size(size: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GiB"  # pragma: no cover


def _vendor() -> str:
    if connection.vendor not in SUPPORTED_VENDORS:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {connection.vendor}.")
    return connection.vendor


# --- database: SQLite -----------------------------------------------------------------------


def _sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
        "ESCAPE '\\' ORDER BY name"
    ).fetchall()
    return [row[0] for row in rows]


def _sqlite_counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {
        table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608  # nosec B608
        for table in _sqlite_tables(conn)
    }


def _latest_migrations(rows) -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in rows:
        if app not in latest or name > latest[app]:
            latest[app] = name
    return dict(sorted(latest.items()))


def _dump_sqlite(target: Path) -> tuple[dict[str, int], dict[str, str]]:
    """SQLite's online backup API: a consistent copy while the site keeps running."""
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        # One self-contained file, whatever the live database's journal mode (WAL).
        copy.execute("PRAGMA journal_mode=DELETE")
        counts = _sqlite_counts(copy)
        migrations = _latest_migrations(copy.execute("SELECT app, name FROM django_migrations"))
    finally:
        copy.close()
    return counts, migrations


def _restore_sqlite(source: Path) -> None:
    """Copy every page of the restored file over the live database in one transaction."""
    connection.close()
    connection.ensure_connection()
    restored = sqlite3.connect(source)
    try:
        restored.backup(connection.connection)
    except sqlite3.Error as exc:
        raise BackupError(
            f"Could not write the database ({exc}). Stop the site and its workers, then retry."
        ) from exc
    finally:
        restored.close()
    connection.close()


def _live_sqlite_counts() -> dict[str, int]:
    connection.ensure_connection()
    return _sqlite_counts(connection.connection)


# --- database: PostgreSQL -------------------------------------------------------------------


def _pg_env() -> dict[str, str]:
    """The environment for pg_dump, pg_restore and psql: connection parameters as PG*
    variables, so that the password never appears on a command line."""
    from django.db.backends.postgresql.client import DatabaseClient

    db = connection.settings_dict
    _args, extra = DatabaseClient.settings_to_cmd_args_env(db, [])
    env = {**os.environ, **(extra or {})}
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGDATABASE", "NAME"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    return env


def _run(args: list[str], *, env: dict[str, str], what: str) -> None:
    try:
        completed = subprocess.run(  # noqa: S603 — fixed program, arguments from settings
            args, env=env, capture_output=True, text=True, check=False
        )
    except FileNotFoundError as exc:
        raise BackupError(
            f"{args[0]} was not found: install the PostgreSQL client tools "
            "(Debian: apt-get install postgresql-client)."
        ) from exc
    if completed.returncode != 0:
        detail = completed.stderr.strip() or completed.stdout.strip()
        raise BackupError(f"{what} failed ({args[0]} exited {completed.returncode}): {detail}")


PG_TABLES = (
    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() ORDER BY c.relname"
)


def _pg_counts(cursor) -> dict[str, int]:
    cursor.execute(PG_TABLES)
    tables = [row[0] for row in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608  # nosec B608
        counts[table] = cursor.fetchone()[0]
    return counts


def _dump_postgresql(target: Path) -> tuple[dict[str, int], dict[str, str]]:
    """pg_dump in a snapshot exported by our own repeatable-read transaction, in which the rows
    are counted too: the manifest describes exactly the dumped data."""
    params = connection.get_connection_params()
    raw = connection.Database.connect(**params)
    try:
        raw.autocommit = True
        with raw.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _pg_counts(cursor)
            cursor.execute("SELECT app, name FROM django_migrations")
            migrations = _latest_migrations(cursor.fetchall())
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={target}",
                ],
                env=_pg_env(),
                what="pg_dump",
            )
            cursor.execute("ROLLBACK")
    finally:
        raw.close()
    return counts, migrations


# Drops every table, view, sequence and function of the schema (the tables' indexes and
# triggers go with them), except what belongs to an extension: objects that newer code had
# created and the backup does not know must not survive a restore.
PG_DROP_ALL = """
-- A site still running holds locks: fail after a minute rather than wait for ever.
SET LOCAL lock_timeout = '60s';
DO $tadamun_restore$
DECLARE item record;
BEGIN
  FOR item IN
    SELECT c.relname, c.relkind FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                      AND d.objid = c.oid AND d.deptype = 'e')
    -- Tables first: the sequences of their identity columns go with them.
    ORDER BY c.relkind = 'S', c.relname
  LOOP
    EXECUTE format('DROP %s IF EXISTS %I CASCADE',
      CASE item.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
        WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,
      item.relname);
  END LOOP;
  FOR item IN
    SELECT p.oid::regprocedure AS signature FROM pg_proc p
    JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = current_schema()
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                      AND d.objid = p.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('DROP ROUTINE IF EXISTS %s CASCADE', item.signature);
  END LOOP;
END
$tadamun_restore$;
"""


def _restore_postgresql(source: Path, staging: Path) -> None:
    """Empty the schema and load the dump in ONE transaction (psql --single-transaction):
    if anything fails, the database is as it was."""
    env = _pg_env()
    script = staging / "restore.sql"
    prelude = staging / "prelude.sql"
    prelude.write_text(PG_DROP_ALL)
    _run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            f"--file={script}",
            str(source),
        ],
        env=env,
        what="pg_restore",
    )
    connection.close()
    _run(
        [
            "psql",
            "--no-psqlrc",
            "--quiet",
            "--single-transaction",
            "--set=ON_ERROR_STOP=1",
            f"--file={prelude}",
            f"--file={script}",
        ],
        env=env,
        what="Loading the database",
    )
    script.unlink()


def _live_postgresql_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        return _pg_counts(cursor)


# --- media ----------------------------------------------------------------------------------


def _media_entries(root: Path):
    """Folders and regular files under MEDIA_ROOT, sorted; symbolic links are not followed."""
    if not root.is_dir():
        return
    for folder, dirnames, filenames in os.walk(root):
        dirnames.sort()
        base = Path(folder)
        for name in dirnames:
            yield base / name, True
        for name in sorted(filenames):
            path = base / name
            if path.is_file() and not path.is_symlink():
                yield path, False


class _HashingReader:
    def __init__(self, raw):
        self._raw = raw
        self.sha256 = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self.sha256.update(data)
        return data


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(READ_SIZE):
            digest.update(chunk)
    return digest.hexdigest()


def media_hashes(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): _file_sha256(path)
        for path, is_dir in _media_entries(root)
        if not is_dir
    }


# --- backup ---------------------------------------------------------------------------------


def create_backup(output: Path, *, key: bytes, progress: Progress = _quiet) -> BackupResult:
    vendor = _vendor()
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    media_root = Path(settings.MEDIA_ROOT)
    staging = Path(tempfile.mkdtemp(prefix=".tadamun-backup-", dir=output.parent))
    partial = output.with_name(f".{output.name}.partial")
    try:
        database_file = staging / DATABASE_FILES[vendor]
        progress(f"Dumping the database ({vendor})…")
        if vendor == "sqlite":
            counts, migrations = _dump_sqlite(database_file)
        else:
            counts, migrations = _dump_postgresql(database_file)
        progress(
            f"  {len(counts)} tables, {sum(counts.values())} rows, "
            f"{human_size(database_file.stat().st_size)}"
        )
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(descriptor, 0o600)
        with os.fdopen(descriptor, "wb") as raw:
            writer = EncryptingWriter(raw, key)
            with tarfile.open(fileobj=writer, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                tar.add(database_file, arcname=database_file.name)
                progress(f"Adding the media files from {media_root}…")
                media = _add_media(tar, media_root)
                media_bytes = sum(item["size"] for item in media.values())
                progress(f"  {len(media)} files, {human_size(media_bytes)}")
                manifest = {
                    "format": FORMAT_VERSION,
                    "created": datetime.now(UTC).isoformat(timespec="seconds"),
                    "vendor": vendor,
                    "database": database_file.name,
                    "migrations": migrations,
                    "tables": counts,
                    "media": media,
                }
                data = json.dumps(manifest, indent=1, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(data)
                info.mtime = int(datetime.now(UTC).timestamp())
                info.mode = 0o600
                tar.addfile(info, io.BytesIO(data))
            writer.close()
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, output)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return BackupResult(path=output, size=output.stat().st_size, manifest=manifest)


def _add_media(tar: tarfile.TarFile, root: Path) -> dict[str, dict]:
    media: dict[str, dict] = {}
    info = tar.gettarinfo(root, arcname=MEDIA) if root.is_dir() else None
    if info is not None:
        tar.addfile(info)
    for path, is_dir in _media_entries(root):
        name = path.relative_to(root).as_posix()
        info = tar.gettarinfo(path, arcname=f"{MEDIA}/{name}")
        if is_dir:
            tar.addfile(info)
            continue
        with path.open("rb") as handle:
            reader = _HashingReader(handle)
            tar.addfile(info, reader)
        media[name] = {"size": info.size, "sha256": reader.sha256.hexdigest()}
    return media


# --- restore --------------------------------------------------------------------------------


def _check_member(member: tarfile.TarInfo) -> None:
    name = PurePosixPath(member.name)
    allowed = (member.name in (MANIFEST, *DATABASE_FILES.values()) and member.isfile()) or (
        name.parts[:1] == (MEDIA,) and (member.isfile() or member.isdir())
    )
    if not allowed or ".." in name.parts or name.is_absolute():
        raise BackupCorruptError(f"Unexpected entry in the backup: {member.name!r}.")


def unpack(path: Path, *, key: bytes, into: Path, progress: Progress = _quiet) -> dict:
    """Decrypt and unpack the whole backup into `into`; its manifest, once everything in it
    has been authenticated and the media files match their hashes."""
    with Path(path).open("rb") as source:
        reader = DecryptingReader(source, key)
        try:
            with tarfile.open(fileobj=reader, mode="r|") as tar:
                for member in tar:
                    _check_member(member)
                    tar.extract(member, into, filter="data")
        except tarfile.TarError as exc:
            raise BackupCorruptError(f"The backup's contents are damaged: {exc}.") from exc
        reader.read_to_end()
    progress(f"Decrypted and verified {path} ({human_size(Path(path).stat().st_size)}).")
    try:
        manifest = json.loads((into / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupCorruptError("The backup has no readable manifest.") from exc
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(
            f"This backup has format {manifest.get('format')}; this Tadamun restores format "
            f"{FORMAT_VERSION}."
        )
    if not (into / manifest["database"]).is_file():
        raise BackupCorruptError("The backup holds no database.")
    media_root = into / MEDIA
    media_root.mkdir(exist_ok=True)
    differences = _media_differences(manifest, media_root)
    if differences:
        raise BackupCorruptError(
            "The backup's media files do not match its manifest: " + "; ".join(differences[:5])
        )
    return manifest


def _media_differences(manifest: dict, root: Path) -> list[str]:
    expected = {name: item["sha256"] for name, item in manifest["media"].items()}
    found = media_hashes(root)
    differences = [f"missing media file {name}" for name in sorted(expected.keys() - found)]
    differences += [f"unexpected media file {name}" for name in sorted(found.keys() - expected)]
    differences += [
        f"media file {name} differs"
        for name in sorted(expected.keys() & found.keys())
        if expected[name] != found[name]
    ]
    return differences


def _code_migrations() -> dict[str, set[str]]:
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    known: dict[str, set[str]] = {}
    for app, name in loader.disk_migrations:
        known.setdefault(app, set()).add(name)
    return known


def restore_backup(path: Path, *, key: bytes, progress: Progress = _quiet) -> RestoreResult:
    vendor = _vendor()
    media_root = Path(settings.MEDIA_ROOT)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    # Beside MEDIA_ROOT, so that the restored media folder can be renamed into place.
    staging = Path(tempfile.mkdtemp(prefix=".tadamun-restore-", dir=media_root.parent))
    try:
        manifest = unpack(path, key=key, into=staging, progress=progress)
        if manifest["vendor"] != vendor:
            raise BackupError(
                f"This backup is of a {manifest['vendor']} database; this site uses {vendor}. "
                "Restore it into a site configured with the same database."
            )
        notes = []
        known = _code_migrations()
        unknown = [
            f"{app}.{name}"
            for app, name in manifest["migrations"].items()
            if name not in known.get(app, set())
        ]
        if unknown:
            notes.append(
                "The backup was made by newer code (migrations unknown here: "
                + ", ".join(unknown)
                + "). Update the code to that version before using the site."
            )
        progress(f"Restoring the database ({vendor}) from the backup of {manifest['created']}…")
        database_file = staging / manifest["database"]
        if vendor == "sqlite":
            _restore_sqlite(database_file)
        else:
            _restore_postgresql(database_file, staging)
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.clear_cache()
        progress(f"Replacing the media folder {media_root}…")
        _swap_media(staging / MEDIA, media_root)
        progress("Checking the restored data against the manifest…")
        counts = _live_sqlite_counts() if vendor == "sqlite" else _live_postgresql_counts()
        differences = [
            f"table {table}: {counts.get(table)} rows, the backup had {expected}"
            for table, expected in sorted(manifest["tables"].items())
            if counts.get(table) != expected
        ]
        differences += [
            f"table {table} is not in the backup"
            for table in sorted(counts.keys() - manifest["tables"].keys())
        ]
        differences += _media_differences(manifest, media_root)
        return RestoreResult(
            manifest=manifest,
            table_counts=counts,
            media_checked=len(manifest["media"]),
            differences=differences,
            notes=notes,
        )
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _swap_media(restored: Path, media_root: Path) -> None:
    """Rename the restored folder into place; the old one is removed only once it is out of
    the way, and put back if the swap fails."""
    old = None
    if media_root.exists():
        old = media_root.with_name(f".{media_root.name}.old-{os.getpid()}")
        shutil.rmtree(old, ignore_errors=True)
        restored.chmod(media_root.stat().st_mode & 0o7777)
        try:
            media_root.rename(old)
        except OSError as exc:
            raise BackupError(
                f"Could not move the media folder {media_root} aside ({exc.strerror}); the "
                "database was restored, the media files were not. MEDIA_ROOT must be a folder "
                "that can be renamed (not a mount point)."
            ) from exc
    try:
        restored.rename(media_root)
    except OSError:
        if old is not None:
            old.rename(media_root)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
