"""Work done after commit (arguments are primary keys)."""

from __future__ import annotations

from django.tasks import task

from tadamun.search import services


@task()
def index_files_task(*, content_type_id: int, object_id: int) -> bool:
    """Extract the text of an item's new files (outside any transaction: a large PDF must not
    hold the database) and put it in the item's index entry."""
    return services.index_files(content_type_id=content_type_id, object_id=object_id) is not None
