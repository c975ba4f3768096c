"""CSV exports of signatures, streamed (a petition may have hundreds of thousands of signers),
with a UTF-8 byte-order mark so that Excel opens Arabic names correctly, and safe against
formula injection: a cell a spreadsheet would evaluate (starting with = + - @, a tab or a
carriage return) is prefixed with a single quote (OWASP, "CSV Injection"). Every export is
written to the audit log with its petition, its filter and its row count before the first
byte leaves.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse
from django.utils import timezone

from tadamun.core.audit import audit
from tadamun.petitions.models import Partner, Petition, Signature

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

STAFF_COLUMNS = [
    ("id", lambda s: s.pk),
    ("created", lambda s: _when(s.created)),
    ("confirmed_at", lambda s: _when(s.confirmed_at)),
    ("state", lambda s: s.state),
    ("source", lambda s: s.source),
    ("paper_batch", lambda s: s.batch_id or ""),
    ("name", lambda s: s.name),
    ("email", lambda s: s.email),
    ("country", lambda s: str(s.country or "")),
    ("governorate", lambda s: s.governorate),
    ("organisation", lambda s: s.organisation_name),
    ("partner", lambda s: s.partner.slug if s.partner_id else ""),
    ("consent_lead", lambda s: "yes" if s.consent_lead else "no"),
    ("consent_partner", lambda s: "yes" if s.consent_partner else "no"),
    ("show_name", lambda s: "yes" if s.show_name else "no"),
    ("language", lambda s: s.language),
    ("anonymised", lambda s: "yes" if s.anonymised else "no"),
]
# A partner takes away only what its signers agreed to give it.
PARTNER_COLUMNS = [
    ("name", lambda s: s.name),
    ("email", lambda s: s.email),
    ("country", lambda s: str(s.country or "")),
    ("governorate", lambda s: s.governorate),
    ("organisation", lambda s: s.organisation_name),
    ("language", lambda s: s.language),
    ("confirmed_at", lambda s: _when(s.confirmed_at)),
]


def _when(value) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def safe_cell(value) -> str:
    """The cell as text, never a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class _Echo:
    """A file-like object whose write() returns what it was given (csv.writer → stream)."""

    def write(self, value: str) -> str:
        return value


def csv_lines(columns, rows: Iterable[Signature]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow([name for name, _get in columns])
    for row in rows:
        yield writer.writerow([safe_cell(get(row)) for _name, get in columns])


def export_response(
    *,
    petition: Petition,
    rows,
    by,
    filters: dict,
    partner: Partner | None = None,
) -> StreamingHttpResponse:
    """Stream `rows` (a queryset of signatures) as CSV: the staff columns, or the partner
    columns when `partner` is given. Audited first, with the number of rows."""
    columns = PARTNER_COLUMNS if partner is not None else STAFF_COLUMNS
    count = rows.count()
    audit(
        "petition_export",
        actor=by,
        petition=petition.pk,
        partner=partner.pk if partner is not None else None,
        filter=filters,
        rows=count,
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"{petition.slug}-{partner.slug + '-' if partner else ''}signatures-{stamp}.csv"
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in csv_lines(columns, rows.iterator(chunk_size=2000))),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
