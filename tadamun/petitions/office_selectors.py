"""Who may use the back office of a petition, and the reads its pages and exports share.

"Petition staff" are the network's coordinators and the administrators of the campaign's lead
organisations: they see every signature and use every tool. A partner organisation's
administrators see only their partner page's figures and, for export, their own signers who
agreed to the partner's news. Everyone else gets nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncHour
from django.utils import timezone

from tadamun.accounts.selectors import viewer_is_member
from tadamun.organisations.selectors import organisations_administered_by
from tadamun.petitions.models import (
    Invalidation,
    PaperBatch,
    Partner,
    Petition,
    Signature,
    SignerUpdate,
    TargetDelivery,
    UpdateDelivery,
)
from tadamun.petitions.normalise import InvalidAddress, idna_domain

# How far back the dashboard draws the signing rate.
RATE_HOURS = 24
LATEST_SIGNATURES = 20


# ------------------------------------------------------------------------------ who


def is_petition_staff(user, petition: Petition) -> bool:
    """Coordinators, and administrators of one of the campaign's lead organisations."""
    if not viewer_is_member(user):
        return False
    if user.is_network_coordinator:
        return True
    return (
        organisations_administered_by(user).filter(led_campaigns__pk=petition.campaign_id).exists()
    )


def partners_administered_by(user, petition: Petition) -> QuerySet[Partner]:
    """The petition's partner pages whose organisation `user` administers (all of them for a
    coordinator)."""
    if not viewer_is_member(user):
        return Partner.objects.none()
    return Partner.objects.filter(
        petition=petition, organisation__in=organisations_administered_by(user)
    ).select_related("organisation")


def may_approve_updates(user) -> bool:
    return viewer_is_member(user) and user.is_network_coordinator


def may_approve(user, update: SignerUpdate) -> bool:
    """A coordinator who did not write the update (four eyes: never the author)."""
    return (
        may_approve_updates(user)
        and update.status == SignerUpdate.Status.DRAFT
        and update.written_by_id is not None
        and update.written_by_id != user.pk
    )


def petitions_in_office_of(user) -> QuerySet[Petition]:
    """Petitions whose back office `user` may open (as staff or as a partner's admin)."""
    if not viewer_is_member(user):
        return Petition.objects.none()
    if user.is_network_coordinator:
        return Petition.objects.all()
    administered = organisations_administered_by(user)
    return Petition.objects.filter(
        Q(campaign__lead_organisations__in=administered)
        | Q(partners__organisation__in=administered)
    ).distinct()


# --------------------------------------------------------------------------- dashboard


@dataclass
class StateCounts:
    pending: int = 0
    confirmed: int = 0
    invalid: int = 0
    paper_named: int = 0


def state_counts(petition: Petition) -> StateCounts:
    """COUNTs over the signatures: staff pages only (public pages read the tallies)."""
    result = StateCounts()
    rows = Signature.objects.filter(petition=petition).values("state").annotate(n=Count("pk"))
    for row in rows:
        setattr(result, row["state"], row["n"])
    result.paper_named = Signature.objects.filter(
        petition=petition, source=Signature.Source.PAPER
    ).count()
    return result


def signing_rate(
    petition: Petition, *, hours: int = RATE_HOURS, now: datetime.datetime | None = None
) -> list[tuple[datetime.datetime, int]]:
    """Confirmed online signatures per hour over the last `hours` hours, oldest first (every
    hour present, zeros included)."""
    now = now or timezone.now()
    end = now.replace(minute=0, second=0, microsecond=0) + datetime.timedelta(hours=1)
    start = end - datetime.timedelta(hours=hours)
    rows = (
        Signature.objects.filter(
            petition=petition,
            state=Signature.State.CONFIRMED,
            confirmed_at__gte=start,
            confirmed_at__lt=end,
        )
        .annotate(hour=TruncHour("confirmed_at", tzinfo=datetime.UTC))
        .values("hour")
        .annotate(n=Count("pk"))
    )
    found = {row["hour"].astimezone(datetime.UTC).replace(tzinfo=None): row["n"] for row in rows}
    result = []
    for index in range(hours):
        hour = start + datetime.timedelta(hours=index)
        key = hour.astimezone(datetime.UTC).replace(tzinfo=None)
        result.append((hour, found.get(key, 0)))
    return result


def latest_signatures(petition: Petition, *, limit: int = LATEST_SIGNATURES) -> list[Signature]:
    return list(
        Signature.objects.filter(petition=petition)
        .select_related("partner__organisation")
        .order_by("-created", "-pk")[:limit]
    )


def mask_email(address: str) -> str:
    """`a•••@example.org`: enough to recognise a pattern of abuse, not to copy an address."""
    if not address or "@" not in address:
        return ""
    local, _at, domain = address.rpartition("@")
    return f"{local[:1]}•••@{domain}"


# ------------------------------------------------------------------------ invalidation


def signatures_matching(petition: Petition, criteria: dict) -> QuerySet[Signature]:
    """Signatures of `petition` not voided yet that match every given criterion:
    `domain` (of the normalised address), `since`/`until` (creation time, ISO 8601),
    `partner` (a partner's id), `ids` (signature ids)."""
    rows = Signature.objects.filter(petition=petition).exclude(state=Signature.State.INVALID)
    domain = criteria.get("domain")
    if domain:
        try:
            domain = idna_domain(domain)
        except InvalidAddress:
            return Signature.objects.none()
        rows = rows.filter(email_normalised__endswith=f"@{domain}")
    if criteria.get("since"):
        rows = rows.filter(created__gte=datetime.datetime.fromisoformat(criteria["since"]))
    if criteria.get("until"):
        rows = rows.filter(created__lt=datetime.datetime.fromisoformat(criteria["until"]))
    if criteria.get("partner"):
        rows = rows.filter(partner_id=criteria["partner"])
    if criteria.get("ids"):
        rows = rows.filter(pk__in=criteria["ids"])
    return rows


def invalidations_of(petition: Petition) -> QuerySet[Invalidation]:
    return Invalidation.objects.filter(petition=petition).select_related("by").order_by("-created")


# ------------------------------------------------------------------------------ paper


def paper_batches_of(petition: Petition) -> QuerySet[PaperBatch]:
    return (
        PaperBatch.objects.filter(petition=petition)
        .select_related("entered_by", "partner__organisation")
        .annotate(named=Count("signatures", filter=~Q(signatures__state=Signature.State.INVALID)))
        .order_by("-created", "-pk")
    )


# ---------------------------------------------------------------------------- updates


def updates_of(petition: Petition) -> QuerySet[SignerUpdate]:
    return (
        SignerUpdate.objects.filter(petition=petition)
        .select_related("partner__organisation", "written_by", "approved_by")
        .annotate(
            delivered=Count("deliveries", filter=Q(deliveries__state=UpdateDelivery.State.SENT)),
            copies=Count("deliveries"),
        )
        .order_by("-created", "-pk")
    )


def update_recipients(petition: Petition, partner: Partner | None) -> QuerySet[Signature]:
    """Who receives an update: confirmed signers with an address, not anonymised, who agreed
    to the lead's news (no partner) or to this partner's news (signed on its page)."""
    rows = Signature.objects.filter(
        petition=petition, state=Signature.State.CONFIRMED, anonymised=False
    ).exclude(email="")
    if partner is None:
        return rows.filter(consent_lead=True)
    return rows.filter(partner=partner, consent_partner=True)


def updates_approved_since(petition: Petition, since: datetime.datetime) -> int:
    return SignerUpdate.objects.filter(
        petition=petition,
        approved_at__gte=since,
        status__in=[SignerUpdate.Status.APPROVED, SignerUpdate.Status.SENT],
    ).count()


# --------------------------------------------------------------------------- delivery


def target_deliveries_of(petition: Petition) -> QuerySet[TargetDelivery]:
    return TargetDelivery.objects.filter(petition=petition).select_related("target")


def targets_of(petition: Petition):
    return petition.campaign.targets.all()


# ----------------------------------------------------------------------------- export


def export_rows(
    petition: Petition,
    *,
    partner: Partner | None = None,
    state: str = Signature.State.CONFIRMED,
    source: str = "",
    consent: str = "",
    since: datetime.datetime | None = None,
    until: datetime.datetime | None = None,
) -> QuerySet[Signature]:
    """The signatures a staff export holds (anonymised ones too: their personal fields are
    empty)."""
    rows = Signature.objects.filter(petition=petition)
    if state:
        rows = rows.filter(state=state)
    if source:
        rows = rows.filter(source=source)
    if partner is not None:
        rows = rows.filter(partner=partner)
    if consent == "lead":
        rows = rows.filter(consent_lead=True)
    elif consent == "partner":
        rows = rows.filter(consent_partner=True)
    if since is not None:
        rows = rows.filter(created__gte=since)
    if until is not None:
        rows = rows.filter(created__lt=until)
    return rows.select_related("partner__organisation").order_by("pk")


def partner_export_rows(partner: Partner) -> QuerySet[Signature]:
    """What a partner may take away: its own confirmed signers who agreed to its news."""
    return Signature.objects.filter(
        petition_id=partner.petition_id,
        partner=partner,
        state=Signature.State.CONFIRMED,
        consent_partner=True,
        anonymised=False,
    ).order_by("pk")
