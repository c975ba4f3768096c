"""Translation passes for locale/ar: export the untranslated entries as JSON chunks for
translators, merge the filled chunks back. Keeps the catalogue's own header (Babel would
rewrite the Plural-Forms line with its own expression).

    python scripts/po_tool.py export 4 /tmp/chunk     # writes /tmp/chunk0.json … chunk3.json
    python scripts/po_tool.py merge /tmp/chunk*.json

export: write untranslated entries of the .po into N JSON chunk files.
merge: read chunk files (filled) and write translations back into the .po."""

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = str(Path(__file__).resolve().parent.parent / "locale/ar/LC_MESSAGES/django.po")


def load():
    with open(PO, "rb") as f:
        return read_po(f, locale="ar")


def save(cat):
    with open(PO, encoding="utf-8") as f:
        header = f.read().split("\n\n", 1)[0]
    with open(PO, "wb") as f:
        write_po(f, cat, width=100, include_previous=False)
    with open(PO, encoding="utf-8") as f:
        body = f.read().split("\n\n", 1)[1]
    with open(PO, "w", encoding="utf-8") as f:
        f.write(header + "\n\n" + body)


cmd = sys.argv[1]
if cmd == "export":
    n = int(sys.argv[2])
    prefix = sys.argv[3]
    cat = load()
    todo = []
    for m in cat:
        if not m.id:
            continue
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        if m.fuzzy or not all(strings) or (isinstance(m.id, tuple) and len(strings) != 6):
            item = {
                "id": m.id if isinstance(m.id, str) else list(m.id),
                "context": m.context,
                "where": [f"{a}" for a, _ in m.locations][:2],
            }
            if isinstance(m.id, tuple):
                item["ar_plural_forms_6"] = ["", "", "", "", "", ""]
            else:
                item["ar"] = ""
            todo.append(item)
    size = -(-len(todo) // n) if todo else 0
    for i in range(n):
        chunk = todo[i * size : (i + 1) * size]
        Path(f"{prefix}{i}.json").write_text(json.dumps(chunk, ensure_ascii=False, indent=1))
    print(len(todo), "entries to translate")
elif cmd == "merge":
    cat = load()
    done = 0
    for path in sys.argv[2:]:
        for item in json.loads(Path(path).read_text()):
            key = item["id"] if isinstance(item["id"], str) else item["id"][0]
            m = cat.get(key, context=item.get("context"))
            if m is None:
                print("missing", key)
                continue
            if "ar_plural_forms_6" in item:
                forms = item["ar_plural_forms_6"]
                if len(forms) == 6 and all(forms):
                    m.string = tuple(forms)
                    m.flags.discard("fuzzy")
                    done += 1
            elif item.get("ar"):
                m.string = item["ar"]
                m.flags.discard("fuzzy")
                done += 1
    save(cat)
    print(done, "merged")
