"""`{% localized_documents documents as rows %}` — documents in the reader's language, their
versions fetched too, in a few queries whatever the number of documents (for lists)."""

from django import template
from django.conf import settings
from django.db.models import prefetch_related_objects
from django.utils.translation import get_language

from tadamun.core.markdown import plain_text
from tadamun.core.uploads import extension_of
from tadamun.translations.selectors import localize_many

register = template.Library()


@register.simple_tag
def localized_documents(documents):
    documents = list(documents)
    prefetch_related_objects(documents, "versions")
    return localize_many(documents, get_language() or settings.LANGUAGE_CODE)


@register.filter
def snippet(text: str, limit: int = 240) -> str:
    """A Markdown description as plain words, cut at `limit` characters."""
    return plain_text(text, limit=limit)


@register.filter
def file_kind(filename: str) -> str:
    """ "PDF", "DOCX", … from a file name, for lists."""
    return extension_of(filename).upper()
