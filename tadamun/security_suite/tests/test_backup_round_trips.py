"""Backup and restore, three round trips over the whole demo network (every app's data, with its
media): after each restore every row of every table and every media file is as it was."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from tadamun.backups.tests.test_backup_restore import (
    add_content,
    backup,
    change_everything,
    restore,
    state,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def test_three_round_trips_of_the_demo_network(media, monkeypatch, tmp_path, settings):
    from tadamun.backups.crypto import new_key

    monkeypatch.setenv("BACKUP_KEY", new_key())
    monkeypatch.delenv("BACKUP_KEY_FILE", raising=False)
    call_command("seed_demo", stdout=io.StringIO())
    differences = []
    for round_number in range(1, 4):
        posts = add_content(media, round_number)
        before = state(media)
        filled = [table for table, rows in before[0].items() if rows]
        path = tmp_path / f"demo-{round_number}.tdb"
        backup(path)
        change_everything(media, posts)
        assert state(media) != before
        output = restore(path)
        after = state(media)
        differing = [table for table in before[0] if before[0][table] != after[0].get(table)]
        differing += [
            name
            for name in set(before[1]) | set(after[1])
            if before[1].get(name) != after[1].get(name)
        ]
        differences.append(len(differing))
        print(
            f"\n[backup] demo network, round {round_number} ({connection.vendor}): "
            f"{len(filled)} of {len(before[0])} tables holding "
            f"{sum(map(len, before[0].values())):,} rows, {len(before[1])} media files "
            f"({sum(map(len, before[1].values())):,} bytes), backup {path.stat().st_size:,} "
            f"bytes; after restore: {len(differing)} differences"
        )
        assert "0 differences" in output
        assert differing == []
    assert differences == [0, 0, 0]
