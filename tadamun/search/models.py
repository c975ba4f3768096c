"""The search index: one row per indexed item (any kind registered in core.content with a
search hook), holding what results show (title, text for snippets) and the analysed terms the
engines match (search.analysis: folded, stemmed, stop words gone).

The full-text structures live beside this table and are created by the migrations for the
database in use (search.engines):

- SQLite: an FTS5 table `search_fts` over `title_terms` and `body_terms` (external content: it
  reads this table), kept in step by triggers.
- PostgreSQL: a narrow table `search_tsv` (entry id and `to_tsvector('simple', …)`, titles
  weighted A, bodies B) with a GIN index, kept in step by triggers.

Rows are written only by search.services, in the same transaction as the content they index.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import models

TITLE_MAX = 500
BODY_MAX = 200_000
FILE_TEXT_MAX = 200_000


class SearchEntry(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    # The kind's key in core.content ("social.post"), for the kind filter.
    kind = models.CharField(max_length=100, db_index=True)
    workgroup = models.ForeignKey(
        "workgroups.Workgroup",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    # "|ar|en|": every language the item can be read in, delimited for a plain LIKE filter.
    languages = models.CharField(max_length=60, blank=True)
    date = models.DateTimeField(null=True, blank=True, db_index=True)
    title = models.CharField(max_length=TITLE_MAX, blank=True)
    # {"ar": "...", "en": "..."}: the title in each reader language, where there is one.
    titles = models.JSONField(default=dict, blank=True)
    # Plain text for snippets (the item's own text and its translations).
    body = models.TextField(blank=True)
    # The text extracted from the item's files, and which files it came from (their keys):
    # extraction happens once per file, after commit (search.services.index_object).
    file_key = models.CharField(max_length=700, blank=True)
    file_text = models.TextField(blank=True)
    # What the engines index: search.analysis terms, space-separated.
    title_terms = models.TextField(blank=True)
    body_terms = models.TextField(blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="search_one_entry_per_item"
            )
        ]
        indexes = [models.Index(fields=["workgroup", "kind"], name="search_entry_workgroup")]
        verbose_name = "search entry"
        verbose_name_plural = "search entries"

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"

    def has_language(self, code: str) -> bool:
        return f"|{code}|" in self.languages
