"""What the search index holds of a campaign (the `search=` hook passed to
core.content.register in apps.py): its title, summary, demands, background and issue in both
languages, so that a search in Arabic or in English finds it. Who finds it is decided at query
time by campaigns_visible_to — drafts are indexed like the rest and found only by their editors.
Targets' e-mail addresses and the proposer are never indexed."""

from __future__ import annotations

from tadamun.campaigns.models import Campaign
from tadamun.core.markdown import plain_text
from tadamun.search.documents import SearchDocument

BODY_FIELDS = ("summary", "demands", "background")


def campaign(obj: Campaign) -> SearchDocument:
    complete = [code for code in ("ar", "en") if code not in obj.missing_languages()]
    written = [code for code in ("ar", "en") if getattr(obj, f"title_{code}")]
    readable = complete or written
    bodies = []
    for code in ("ar", "en"):
        bodies.append(getattr(obj, f"issue_{code}"))
        bodies.extend(plain_text(getattr(obj, f"{field}_{code}")) for field in BODY_FIELDS)
    return SearchDocument(
        title=obj.title_ar or obj.title_en or obj.slug,
        body="\n\n".join(text for text in bodies if text),
        language=readable[0] if readable else "",
        other_languages=tuple(readable[1:]),
        titles={code: getattr(obj, f"title_{code}") for code in written},
        date=obj.opened_at or obj.created,
    )
