"""Backup → change → restore round trips on the real database (SQLite or PostgreSQL, whichever
the run uses): every table's rows and every media file come back exactly."""

import io
import json
import os
import stat
import tarfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tadamun.backups import archive
from tadamun.backups.crypto import EncryptingWriter, new_key, parse_key
from tadamun.social.models import Post
from tadamun.social.tests.factories import UserFactory, make_post, new_image

pytestmark = pytest.mark.django_db(transaction=True)

CANARY = "Canary-7f3a1c-solidarity-مرحبا"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def key(monkeypatch):
    text = new_key()
    monkeypatch.setenv("BACKUP_KEY", text)
    monkeypatch.delenv("BACKUP_KEY_FILE", raising=False)
    return text


def table_rows() -> dict[str, list[str]]:
    """Every row of every table, as sorted text: the whole database's contents."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        raw = connection.connection
        tables = archive._sqlite_tables(raw)
        return {
            table: sorted(repr(row) for row in raw.execute(f'SELECT * FROM "{table}"'))  # noqa: S608
            for table in tables
        }
    with connection.cursor() as cursor:
        cursor.execute(archive.PG_TABLES)
        tables = [row[0] for row in cursor.fetchall()]
        rows = {}
        for table in tables:
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608
            rows[table] = sorted(repr(row) for row in cursor.fetchall())
        return rows


def media_files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def state(root: Path):
    return table_rows(), media_files(root)


def backup(path: Path) -> str:
    out = io.StringIO()
    call_command("backup", output=path, stdout=out)
    return out.getvalue()


def restore(path: Path) -> str:
    out = io.StringIO()
    call_command("restore", str(path), yes=True, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def add_content(media: Path, round_number: int):
    author = UserFactory()
    posts = [
        make_post(author, body=f"Round {round_number} post {index} {CANARY}") for index in range(3)
    ]
    make_post(author, body=f"Round {round_number} with a picture", images=[new_image()])
    folder = media / f"round-{round_number}" / "nested"
    folder.mkdir(parents=True)
    (folder / "random.bin").write_bytes(os.urandom(3000 + round_number))
    (folder / "empty.txt").write_bytes(b"")
    (media / f"note-{round_number}.txt").write_text(f"{CANARY} {round_number}")
    return posts


def change_everything(media: Path, posts):
    Post.objects.filter(pk=posts[0].pk).delete()
    Post.objects.filter(pk=posts[1].pk).update(body="Edited after the backup")
    make_post(UserFactory(), body="Written after the backup")
    files = sorted(path for path in media.rglob("*") if path.is_file())
    files[0].unlink()
    files[-1].write_bytes(b"changed after the backup")
    (media / "added-after-backup.txt").write_text("new")
    (media / "new-folder").mkdir()


def test_three_round_trips_restore_exactly(media, key, tmp_path):
    for round_number in range(1, 4):
        posts = add_content(media, round_number)
        before = state(media)
        assert any(CANARY in row for rows in before[0].values() for row in rows)
        assert any(name.startswith("social/") or "/" in name for name in before[1])

        path = tmp_path / f"round-{round_number}.tdb"
        output = backup(path)
        assert "Dumping the database" in output
        assert str(path) in output

        change_everything(media, posts)
        assert state(media) != before

        output = restore(path)
        assert "0 differences" in output
        after = state(media)
        assert after[0].keys() == before[0].keys()
        differing = [table for table in before[0] if before[0][table] != after[0][table]]
        assert differing == []
        assert after[1] == before[1]
        print(
            f"\n[backup] round {round_number} ({connection.vendor}): "
            f"{len(before[0])} tables, {sum(map(len, before[0].values())):,} rows, "
            f"{len(before[1])} media files ({sum(map(len, before[1].values())):,} bytes) "
            f"restored; {len(differing)} differences"
        )
        # Django's own view of the data agrees, and it can write again.
        assert Post.objects.filter(pk=posts[0].pk).exists()
        make_post(UserFactory(), body="Written after the restore")


def test_backup_file_is_private_and_not_plaintext(media, key, tmp_path):
    make_post(UserFactory(), body=f"A body with the {CANARY}")
    (media / "letter.txt").write_text(f"Media with the {CANARY}")
    path = tmp_path / "backups" / "private.tdb"
    backup(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    sealed = path.read_bytes()
    assert CANARY.encode() not in sealed
    assert b"Canary-7f3a1c" not in sealed
    assert b"manifest.json" not in sealed
    assert b"SQLite format" not in sealed
    # …while the decrypted archive does hold them.
    unpacked = tmp_path / "unpacked"
    unpacked.mkdir()
    manifest = archive.unpack(path, key=parse_key(key), into=unpacked)
    assert (unpacked / "media" / "letter.txt").read_text() == f"Media with the {CANARY}"
    assert manifest["vendor"] == connection.vendor
    assert manifest["tables"]["social_post"] == 1
    assert manifest["media"]["letter.txt"]["size"] == len((media / "letter.txt").read_bytes())
    assert "social" in manifest["migrations"]
    assert not list(path.parent.glob(".*")), "no staging folder or partial file is left"


def test_default_output_is_under_var_dir(media, key, settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    out = io.StringIO()
    call_command("backup", stdout=out)
    [path] = (tmp_path / "var" / "backups").glob("tadamun-*.tdb")
    assert f"Backup written: {path}" in out.getvalue()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.fixture
def saved(media, key, tmp_path):
    """A backup, then changes: a refused restore must leave the changed state in place."""
    posts = add_content(media, 1)
    path = tmp_path / "saved.tdb"
    backup(path)
    change_everything(media, posts)
    return path, state(media)


def test_wrong_key_is_refused_and_nothing_changes(saved, media, monkeypatch):
    path, current = saved
    monkeypatch.setenv("BACKUP_KEY", new_key())
    with pytest.raises(CommandError, match="Wrong key"):
        restore(path)
    assert state(media) == current


@pytest.mark.parametrize("where", ["header", "middle", "end"])
def test_tampered_byte_is_refused_and_nothing_changes(saved, media, where):
    path, current = saved
    data = bytearray(path.read_bytes())
    position = {"header": 20, "middle": len(data) // 2, "end": len(data) - 1}[where]
    data[position] ^= 0x20
    path.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="damaged"):
        restore(path)
    assert state(media) == current


def test_truncated_file_is_refused_and_nothing_changes(saved, media):
    path, current = saved
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 1000])
    with pytest.raises(CommandError, match="truncated"):
        restore(path)
    assert state(media) == current


def test_missing_key_is_refused(media, monkeypatch, tmp_path):
    monkeypatch.delenv("BACKUP_KEY", raising=False)
    monkeypatch.delenv("BACKUP_KEY_FILE", raising=False)
    with pytest.raises(CommandError, match="No backup key"):
        backup(tmp_path / "nokey.tdb")
    assert not (tmp_path / "nokey.tdb").exists()
    (tmp_path / "some.tdb").write_bytes(b"whatever")
    with pytest.raises(CommandError, match="No backup key"):
        restore(tmp_path / "some.tdb")


def test_key_file_works(media, monkeypatch, tmp_path):
    keyfile = tmp_path / "backup.key"
    keyfile.write_text(new_key())
    monkeypatch.delenv("BACKUP_KEY", raising=False)
    monkeypatch.setenv("BACKUP_KEY_FILE", str(keyfile))
    make_post(UserFactory(), body="Kept")
    backup(tmp_path / "with-file.tdb")
    Post.objects.all().delete()
    restore(tmp_path / "with-file.tdb")
    assert Post.objects.get().body == "Kept"


def test_new_key_prints_a_usable_key():
    out = io.StringIO()
    call_command("backup", new_key=True, stdout=out)
    assert len(parse_key(out.getvalue())) == 32


def test_restore_asks_first(saved, media, monkeypatch):
    path, current = saved
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="cancelled"):
        call_command("restore", str(path), stdout=io.StringIO())
    assert state(media) == current


def test_a_backup_of_another_database_vendor_is_refused(media, key, tmp_path):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    manifest = json.dumps(
        {"format": 1, "vendor": other, "database": archive.DATABASE_FILES[other], "media": {}}
    ).encode()
    path = tmp_path / "other.tdb"
    with path.open("wb") as raw:
        writer = EncryptingWriter(raw, parse_key(key))
        with tarfile.open(fileobj=writer, mode="w|") as tar:
            for name, data in (
                (archive.DATABASE_FILES[other], b"dump"),
                ("manifest.json", manifest),
            ):
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        writer.close()
    make_post(UserFactory(), body="Still here")
    with pytest.raises(CommandError, match=f"backup is of a {other} database"):
        restore(path)
    assert Post.objects.get().body == "Still here"
