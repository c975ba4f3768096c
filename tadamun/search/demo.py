"""Demo data: nothing of its own — the demo content of the other apps is indexed as it is
written; this indexes it all once more at the end of seed_demo (some demo rows get their dates
set afterwards, by queryset updates the index does not hear of)."""

from tadamun.search import services


def seed(*, stdout) -> None:
    done = services.reindex()
    stdout.write(f"search: {done} items indexed.")
