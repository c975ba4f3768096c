"""Reads of the public side: which petitions the public sees, their counts and the public
list of names. Counts come from the cached tallies (tadamun.petitions.tally), never from a
COUNT over signatures per page view."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.http import Http404
from django_countries import countries

from tadamun.organisations.models import governorate_name
from tadamun.petitions.models import Partner, Petition, Signature
from tadamun.petitions.tally import counts, next_goal

PUBLIC_STATES = (
    Petition.Status.OPEN,
    Petition.Status.CLOSED,
    Petition.Status.DELIVERED,
    Petition.Status.ANSWERED,
)


def petitions_public() -> QuerySet[Petition]:
    """Every petition the public may see (all but drafts)."""
    return Petition.objects.filter(status__in=PUBLIC_STATES).select_related("campaign")


def petitions_visible_to(viewer) -> QuerySet[Petition]:
    """What `viewer` may see of petitions (search, the content registry): every published one,
    and the drafts of those whose back office they may open."""
    from tadamun.petitions.office_selectors import petitions_in_office_of

    public = Petition.objects.filter(status__in=PUBLIC_STATES)
    office = petitions_in_office_of(viewer).values("pk")
    return Petition.objects.filter(Q(pk__in=public.values("pk")) | Q(pk__in=office))


def petitions_open() -> QuerySet[Petition]:
    return petitions_public().filter(status=Petition.Status.OPEN).order_by("-opened_at", "-pk")


def public_petition(slug: str) -> Petition:
    petition = petitions_public().filter(slug=slug).first()
    if petition is None:
        raise Http404
    return petition


def public_partner(petition: Petition, slug: str) -> Partner:
    partner = (
        Partner.objects.filter(petition=petition, slug=slug, active=True)
        .select_related("organisation")
        .first()
    )
    if partner is None:
        raise Http404
    return partner


def public_names(petition: Petition) -> QuerySet[Signature]:
    """The signers who chose to show their name: confirmed, not anonymised, newest first."""
    return (
        Signature.objects.filter(
            petition=petition,
            state=Signature.State.CONFIRMED,
            show_name=True,
            anonymised=False,
        )
        .exclude(name="")
        .only("name", "country", "governorate", "confirmed_at")
        .order_by("-confirmed_at", "-pk")
    )


@dataclass
class Row:
    code: str
    label: str
    count: int


@dataclass
class Progress:
    """What the counter shows: the total, the goal now in force and the rows of the tables."""

    total: int
    goal: int
    online: int = 0
    paper: int = 0
    by_country: list[Row] = field(default_factory=list)
    by_governorate: list[Row] = field(default_factory=list)
    by_governorate_codes: dict[str, int] = field(default_factory=dict)
    partner_count: int | None = None

    @property
    def percent(self) -> int:
        return min(100, (self.total * 100) // max(self.goal, 1))


def petition_progress(
    petition: Petition, *, partner: Partner | None = None, fresh: bool = False
) -> Progress:
    found = counts(petition, fresh=fresh)
    by_country = sorted(
        (Row(code, str(countries.name(code)) or code, n) for code, n in found.by_country.items()),
        key=lambda row: (-row.count, row.label),
    )
    by_governorate = sorted(
        (Row(code, governorate_name(code), n) for code, n in found.by_governorate.items()),
        key=lambda row: (-row.count, row.label),
    )
    return Progress(
        total=found.total,
        goal=next_goal(petition.goal, found.total),
        online=found.online,
        paper=found.paper,
        by_country=by_country,
        by_governorate=by_governorate,
        by_governorate_codes=dict(found.by_governorate),
        partner_count=found.by_partner.get(partner.pk, 0) if partner is not None else None,
    )
