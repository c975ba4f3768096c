"""Every user-visible string has its Arabic, with the six Arabic plural forms."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

BASE = Path(settings.BASE_DIR)
PO = BASE / "locale" / "ar" / "LC_MESSAGES" / "django.po"


def load(path: Path):
    with path.open("rb") as po_file:
        return read_po(po_file, locale="ar")


def test_arabic_catalogue_has_six_plural_forms():
    catalog = load(PO)
    assert catalog.num_plurals == 6
    assert "n%100>=3 && n%100<=10" in catalog.plural_expr


def test_every_message_is_translated_and_none_is_fuzzy():
    catalog = load(PO)
    missing, fuzzy = [], []
    for message in catalog:
        if not message.id:
            continue
        if message.fuzzy:
            fuzzy.append(message.id)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wrong_count = isinstance(message.id, tuple) and len(strings) != 6
        if wrong_count or not all(strings):
            missing.append(message.id)
    assert not missing, f"untranslated: {missing[:20]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:20]}"


@pytest.mark.skipif(not shutil.which("xgettext"), reason="gettext's xgettext is not installed")
def test_catalogue_holds_every_string_of_the_code(tmp_path):
    """Re-extract the strings from a copy of the code: none may be missing from django.po."""
    shutil.copytree(
        BASE / "tadamun", tmp_path / "tadamun", ignore=shutil.ignore_patterns("static", "__py*")
    )
    shutil.copytree(BASE / "locale", tmp_path / "locale")
    shutil.copy(BASE / "manage.py", tmp_path / "manage.py")
    env = {**os.environ, "VAR_DIR": str(tmp_path / "var")}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "ar", "--no-obsolete", "-v", "0"],
        cwd=tmp_path,
        env=env,
        check=True,
        timeout=300,
    )
    committed = {m.id for m in load(PO) if m.id}
    extracted = {m.id for m in load(tmp_path / "locale/ar/LC_MESSAGES/django.po") if m.id}
    assert not extracted - committed, "run `make messages` and translate: " + repr(
        sorted(map(str, extracted - committed))[:20]
    )
