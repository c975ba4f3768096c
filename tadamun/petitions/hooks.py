"""What the search index holds of a petition (the `search=` hook passed to core.content.register
in apps.py): its title and text in both languages. Who finds it is decided at query time by
petitions_visible_to — drafts are found only by the petition's staff. Nothing of the signers
is ever indexed."""

from __future__ import annotations

from tadamun.core.markdown import plain_text
from tadamun.petitions.models import Petition
from tadamun.search.documents import SearchDocument


def petition(obj: Petition) -> SearchDocument:
    return SearchDocument(
        title=obj.title_ar or obj.title_en or obj.slug,
        body="\n\n".join(
            text for text in (plain_text(obj.text_ar), plain_text(obj.text_en)) if text
        ),
        language="ar",
        other_languages=("en",),
        titles={"ar": obj.title_ar, "en": obj.title_en},
        date=obj.opened_at or obj.created,
    )
