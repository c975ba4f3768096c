"""Signers' personal data is kept only as long as the campaign needs it: a configurable time
after the petition closes (Petition.anonymise_after_days, else the setting
PETITION_ANONYMISE_AFTER_DAYS, 183 days by default) names, addresses, organisations and
confirmation tokens are erased. Country and governorate stay (the tallies hold them anyway),
so every count is unchanged. `manage.py periodic` runs `anonymise_due()`.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from tadamun.core.audit import audit
from tadamun.petitions.models import (
    PaperBatch,
    Petition,
    Signature,
    SignatureMail,
    UpdateDelivery,
)

DEFAULT_DAYS = 183
# Closed, or further along: a petition is anonymised only after it stopped collecting.
AFTER_CLOSING = [
    Petition.Status.CLOSED,
    Petition.Status.DELIVERED,
    Petition.Status.ANSWERED,
]


def anonymise_after_days(petition: Petition) -> int:
    if petition.anonymise_after_days is not None:
        return petition.anonymise_after_days
    return int(getattr(settings, "PETITION_ANONYMISE_AFTER_DAYS", DEFAULT_DAYS))


def anonymise_due_at(petition: Petition) -> datetime.datetime | None:
    """When the petition's signers will be anonymised (None: not closed yet)."""
    if petition.closed_at is None or petition.status not in AFTER_CLOSING:
        return None
    return petition.closed_at + datetime.timedelta(days=anonymise_after_days(petition))


def anonymise_due(now: datetime.datetime | None = None) -> int:
    """Anonymise the signers of every petition whose time has come. Returns how many
    signatures were anonymised."""
    now = now or timezone.now()
    candidates = Petition.objects.filter(
        status__in=AFTER_CLOSING, closed_at__isnull=False, anonymised_at__isnull=True
    )
    total = 0
    for petition in candidates:
        due_at = anonymise_due_at(petition)
        if due_at is not None and due_at <= now:
            total += anonymise_petition(petition=petition, now=now)
    return total


def anonymise_petition(*, petition: Petition, now: datetime.datetime | None = None) -> int:
    """Erase the personal data of one petition's signers (see the module docstring). The
    scans of counted paper sheets go too: they show names and signatures."""
    now = now or timezone.now()
    with transaction.atomic():
        petition = Petition.objects.select_for_update().get(pk=petition.pk)
        if petition.anonymised_at is not None:
            return 0
        signatures = Signature.objects.filter(petition=petition, anonymised=False)
        # Mail not sent yet would carry the address (and the confirmation mail the token).
        SignatureMail.objects.filter(signature__petition=petition).delete()
        UpdateDelivery.objects.filter(update__petition=petition).delete()
        count = signatures.update(
            name="",
            show_name=False,
            email="",
            organisation_name="",
            email_normalised=Concat(Value("anon:"), Cast(F("pk"), output_field=CharField())),
            token_hash="",
            anonymised=True,
        )
        scans = []
        for batch in PaperBatch.objects.filter(petition=petition).exclude(evidence=""):
            scans.append((batch.evidence.storage, batch.evidence.name))
        PaperBatch.objects.filter(petition=petition).exclude(evidence="").update(evidence="")
        petition.anonymised_at = now
        petition.save(update_fields=["anonymised_at"])
        audit("petition_anonymised", petition=petition.pk, signatures=count, scans=len(scans))

        def delete_scans():
            for storage, name in scans:
                storage.delete(name)

        transaction.on_commit(delete_scans)
    return count
