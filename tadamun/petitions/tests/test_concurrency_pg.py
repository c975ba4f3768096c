"""Many people at once, on PostgreSQL (SQLite serialises writers, so there is nothing to race
there): signatures with one address and with many, confirmations and outbox claims in
parallel threads, each thread on its own database connection. Counts must be exact."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tadamun.petitions import outbox, tally
from tadamun.petitions.models import Signature, SignatureMail
from tadamun.petitions.outbox import hash_token
from tadamun.petitions.tests.conftest import sign_form
from tadamun.petitions.tests.factories import PetitionFactory

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
    pytest.mark.django_db(transaction=True),
]

THREADS = 40


def in_parallel(count: int, work):
    """Run work(i) for i in range(count) in `count` threads released at the same moment;
    each thread closes its own connection at the end."""
    barrier = threading.Barrier(count)

    def run(i):
        try:
            barrier.wait(timeout=30)
            return work(i)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


@pytest.fixture
def generous_limits(settings):
    settings.PETITION_RATE_LIMITS = {
        "address": (10_000, 600),
        "network": (10_000, 600),
        "domain": (10_000, 600),
    }


def post_signature(petition, email: str) -> tuple[int, str]:
    url = reverse("petitions:petition", args=[petition.slug])
    response = Client().post(url, sign_form(email=email))
    return response.status_code, response.get("Location", "")


def test_one_address_many_times_at_once_gives_one_signature(generous_limits):
    petition = PetitionFactory()
    variants = ["same@example.org", "Same@Example.org", "same+x@example.org", "SAME@example.org"]
    results = in_parallel(THREADS, lambda i: post_signature(petition, variants[i % 4]))
    # (Each thread has its own active language: the default one, Arabic.)
    assert {status for status, _ in results} == {302}
    assert all(location.endswith(f"/{petition.slug}/check-your-email/") for _, location in results)
    assert Signature.objects.filter(petition=petition).count() == 1
    assert SignatureMail.objects.filter(kind=SignatureMail.Kind.CONFIRM).count() == 1


def test_many_addresses_and_confirmations_at_once_count_exactly(generous_limits):
    petition = PetitionFactory()
    results = in_parallel(THREADS, lambda i: post_signature(petition, f"p{i}@example.org"))
    assert {status for status, _ in results} == {302}
    signatures = list(Signature.objects.filter(petition=petition).order_by("pk"))
    assert len(signatures) == THREADS
    assert len({s.email_normalised for s in signatures}) == THREADS
    assert SignatureMail.objects.filter(state=SignatureMail.State.SENT).count() == THREADS

    # Half of them confirm, each link clicked twice at the same moment.
    tokens = {}
    for signature in signatures[: THREADS // 2]:
        token = f"token-{signature.pk:08d}-abcdefghijklmnopqrstuvwxyz"
        Signature.objects.filter(pk=signature.pk).update(token_hash=hash_token(token))
        tokens[signature.pk] = token
    links = [
        reverse("petitions:confirm", args=[petition.slug, token])
        for token in tokens.values()
        for _ in range(2)
    ]
    statuses = in_parallel(len(links), lambda i: Client().post(links[i]).status_code)
    assert statuses == [302] * len(links)

    confirmed = Signature.objects.filter(petition=petition, state=Signature.State.CONFIRMED)
    assert confirmed.count() == THREADS // 2
    assert set(confirmed.values_list("pk", flat=True)) == set(tokens)
    assert tally.counts(petition, fresh=True).total == THREADS // 2


def test_outbox_workers_never_claim_the_same_row(generous_limits):
    petition = PetitionFactory()
    now = timezone.now()
    signatures = Signature.objects.bulk_create(
        Signature(
            petition=petition,
            name=f"Person {i}",
            email=f"q{i}@example.org",
            email_normalised=f"q{i}@example.org",
            country="IQ",
            governorate="basra",
        )
        for i in range(THREADS * 2)
    )
    SignatureMail.objects.bulk_create(
        SignatureMail(signature=s, kind=SignatureMail.Kind.CONFIRM, next_attempt=now)
        for s in signatures
    )
    claims = in_parallel(8, lambda i: outbox.claim_due(limit=THREADS)[1])
    claimed = [pk for ids in claims for pk in ids]
    assert len(claimed) == len(set(claimed)) == THREADS * 2
