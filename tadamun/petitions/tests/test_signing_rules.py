"""Signing and confirming: one signature per mailbox, double opt-in, tokens, hostile input,
the protections (honeypot, timing, rate limits, disposable domains, rate-jump alert)."""

import hashlib
import re

import pytest
from django.core import mail
from django.urls import reverse

from tadamun.accounts.tests.factories import UserFactory
from tadamun.petitions import protection, services, tally
from tadamun.petitions.models import Petition, Signature, SignatureMail
from tadamun.petitions.normalise import InvalidAddress, email_domain, normalise_email
from tadamun.petitions.tests.conftest import aged_stamp, confirm_link, sign_form
from tadamun.petitions.tests.factories import PetitionFactory, SignatureFactory

pytestmark = pytest.mark.django_db


def check_page(petition) -> str:
    return reverse("petitions:check_email", args=[petition.slug])


# ------------------------------------------------------------------------- normalisation


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Ali@Example.ORG", "ali@example.org"),
        ("ali+iraq@example.org", "ali@example.org"),
        ("Ali.Hassan+petition@GMAIL.com", "alihassan@gmail.com"),
        ("a.l.i.hassan@googlemail.com", "alihassan@gmail.com"),
        ("ali.hassan@example.org", "ali.hassan@example.org"),  # dots matter elsewhere
        ("ali@عراق.com", "ali@xn--mgbtx2b.com"),
        ("ali@example.org.", "ali@example.org"),
        ("  ali@example.org ", "ali@example.org"),
    ],
)
def test_normalise_email(typed, key):
    assert normalise_email(typed) == key


@pytest.mark.parametrize("bad", ["", "ali", "@example.org", "ali@", "+tag@example.org"])
def test_normalise_refuses_non_addresses(bad):
    with pytest.raises(InvalidAddress):
        normalise_email(bad)


def test_email_domain_is_idna():
    assert email_domain("x@Bücher.Example") == "xn--bcher-kva.example"


# -------------------------------------------------------------- one signature per mailbox


def test_same_mailbox_signs_once_and_sees_the_same_page(client, petition, sign):
    first = sign(petition, email="ali.hassan@gmail.com")
    again = sign(petition, email="AliHassan+again@googlemail.com", name="Someone Else")
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == check_page(petition)
    assert Signature.objects.count() == 1
    assert Signature.objects.get().name == "Zainab Kareem"  # not overwritten by a stranger
    # Pending: the confirmation is sent again (new link), once per RESEND_EVERY.
    assert len(mail.outbox) == 2
    assert "Confirm your signature" in mail.outbox[1].subject
    sign(petition, email="ali.hassan@gmail.com")
    assert len(mail.outbox) == 2
    assert SignatureMail.objects.count() == 1


def test_confirmed_mailbox_signing_again_is_told_by_mail_only(client, petition, sign):
    SignatureFactory(petition=petition, confirmed=True, email="ali@example.org")
    response = sign(petition, email="ALI+x@example.org")
    assert response["Location"] == check_page(petition)
    assert Signature.objects.count() == 1
    assert len(mail.outbox) == 1
    assert "already signed" in mail.outbox[0].subject
    assert mail.outbox[0].to == ["ali@example.org"]
    sign(petition, email="ali@example.org")
    assert len(mail.outbox) == 1  # not a way to mail someone over and over


def test_voided_mailbox_gets_the_same_page_and_nothing_else(client, petition, sign):
    SignatureFactory(petition=petition, state=Signature.State.INVALID, email="v@example.org")
    response = sign(petition, email="v@example.org")
    assert response["Location"] == check_page(petition)
    assert Signature.objects.count() == 1
    assert mail.outbox == []


def test_the_constraint_decides_not_a_check_before_insert(petition):
    """The service never looks before inserting: the IntegrityError path is the only way a
    second signature of one mailbox is noticed (what two racing requests rely on)."""
    existing = SignatureFactory(petition=petition, email="race@example.org")
    data = services.SignatureData(
        name="Racer",
        show_name=False,
        email="Race@Example.org",
        country="IQ",
        governorate="basra",
        organisation_name="",
        consent_lead=False,
        consent_partner=False,
    )
    outcome = services.petition_sign(petition=petition, partner=None, data=data, language="en")
    assert outcome == services.Outcome.PENDING
    assert list(Signature.objects.values_list("pk", flat=True)) == [existing.pk]
    # Another petition is another signature.
    other = PetitionFactory()
    outcome = services.petition_sign(petition=other, partner=None, data=data, language="en")
    assert outcome == services.Outcome.NEW


# ------------------------------------------------------------------------------ tokens


def test_only_the_hash_of_the_token_is_stored(client, petition, sign):
    sign(petition)
    link = confirm_link(mail.outbox[0])
    token = link.rstrip("/").rsplit("/", 1)[1]
    signature = Signature.objects.get()
    assert signature.token_hash == hashlib.sha256(token.encode()).hexdigest()
    for field in Signature._meta.concrete_fields:
        assert getattr(signature, field.attname) != token


def test_replayed_token_changes_nothing(client, petition, sign):
    sign(petition)
    link = confirm_link(mail.outbox[0])
    client.post(link)
    response = client.post(link, follow=True)
    assert "already confirmed" in response.content.decode()
    assert tally.counts(petition, fresh=True).total == 1
    assert client.get(link, follow=True).redirect_chain[-1][0].endswith("/confirmed/")


@pytest.mark.parametrize(
    "token",
    [
        "A" * 43,
        "x" * 20,
        "<script>alert(1)",
        "%E2%80%AE" + "a" * 40,
        "a" * 500,
    ],
)
def test_forged_token_is_a_clear_404_and_changes_nothing(client, petition, sign, token):
    sign(petition)
    url = f"/en/petitions/{petition.slug}/confirm/{token}/"
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 404
        assert "This link is not valid" in response.content.decode()
    assert Signature.objects.get().state == Signature.State.PENDING
    assert tally.counts(petition, fresh=True).total == 0


def test_token_of_another_petition_does_not_confirm(client, petition, sign):
    sign(petition)
    token = confirm_link(mail.outbox[0]).rstrip("/").rsplit("/", 1)[1]
    other = PetitionFactory()
    response = client.post(reverse("petitions:confirm", args=[other.slug, token]))
    assert response.status_code == 404
    assert Signature.objects.get().state == Signature.State.PENDING


def test_confirming_after_the_petition_closed_does_not_count(client, petition, sign):
    sign(petition)
    link = confirm_link(mail.outbox[0])
    Petition.objects.filter(pk=petition.pk).update(status=Petition.Status.CLOSED)
    response = client.post(link)
    assert response.status_code == 403
    assert "closed" in response.content.decode()
    assert Signature.objects.get().state == Signature.State.PENDING
    assert tally.counts(petition, fresh=True).total == 0


def test_voided_signature_cannot_be_confirmed(client, petition, sign):
    sign(petition)
    link = confirm_link(mail.outbox[0])
    Signature.objects.update(state=Signature.State.INVALID)
    assert client.post(link).status_code == 404
    assert tally.counts(petition, fresh=True).total == 0


def test_resent_link_replaces_the_earlier_one(client, petition, sign):
    sign(petition, email="r@example.org")
    protection.django_cache.clear()  # the resend limit
    sign(petition, email="r@example.org")
    first, second = (confirm_link(message) for message in mail.outbox)
    assert first != second
    assert client.post(first).status_code == 404
    assert client.post(second).status_code == 302
    assert Signature.objects.get().state == Signature.State.CONFIRMED


# -------------------------------------------------------------------------- bad input

HOSTILE = {
    "name": [
        "<script>alert(1)</script>",
        "Ali\u202eevil",
        "Ali\r\nBcc: victim@example.org",
        "Ali\x00",
        "x" * 10_000,
        "   ",
        "=cmd|' /C calc'!A0",
    ],
    "email": [
        "ali@example.org\r\nBcc: victim@example.org",
        "<script>@example.org",
        "x" * 10_000 + "@example.org",
        "ali@mailinator.com",
        "ali@inbox.yopmail.com",
        "not-an-address",
        "",
    ],
    "country": ["XX", "<script>", "x" * 10_000, ""],
    "governorate": ["atlantis", "", "x" * 10_000],
    "organisation_name": ["<b>Org</b>", "Org\u202e", "Org\r\nX-Header: 1", "o" * 10_000],
    "public": ["maybe", "x" * 10_000],
    "consent_petition": [None],
}


@pytest.mark.parametrize(
    ("field", "value"), [(field, value) for field, values in HOSTILE.items() for value in values]
)
def test_hostile_input_is_refused_clearly_and_nothing_stored(client, petition, sign, field, value):
    response = sign(petition, **{field: value})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Your signature was not sent" in html
    assert 'class="errorlist' in html
    assert not Signature.objects.exists()
    assert not SignatureMail.objects.exists()
    assert mail.outbox == []
    assert "<script>alert" not in html


def test_foreign_signer_needs_no_governorate(client, petition, sign):
    assert sign(petition, country="DE", governorate="").status_code == 302
    signature = Signature.objects.get()
    assert (signature.country, signature.governorate) == ("DE", "")
    # A governorate sent with another country is dropped.
    sign(petition, email="b@example.org", country="FR", governorate="erbil")
    assert Signature.objects.get(email="b@example.org").governorate == ""


def test_kurdistan_governorates_are_choices(client, petition):
    html = client.get(petition.get_absolute_url()).content.decode()
    for code in ("erbil", "sulaymaniyah", "duhok", "halabja"):
        assert f'value="{code}"' in html


def test_a_name_is_stored_clean(client, petition, sign):
    sign(petition, name="  Zainab   Kareem ", organisation_name=" Basra  Union ")
    signature = Signature.objects.get()
    assert (signature.name, signature.organisation_name) == ("Zainab Kareem", "Basra Union")


# -------------------------------------------------------------------- honeypot, timing


def test_honeypot_filled_is_refused(client, petition, sign):
    response = sign(petition, website="http://spam.example")
    assert response.status_code == 400
    assert "could not be accepted" in response.content.decode()
    assert not Signature.objects.exists()


@pytest.mark.parametrize("stamp", ["0s", "1s", "forged", "", "25h"])
def test_too_fast_forged_or_stale_form_is_refused(client, petition, sign, stamp):
    ages = {"0s": 0, "1s": 1, "25h": 60 * 60 * 25}
    response = sign(petition, started=aged_stamp(ages[stamp]) if stamp in ages else stamp)
    assert response.status_code == 400
    assert not Signature.objects.exists()
    # The page comes back with a fresh stamp, so a person can simply send it again.
    assert 'name="started" value="' in response.content.decode()


def test_form_stamp_checks():
    protection.check_form_stamp(aged_stamp(protection.FORM_MIN_SECONDS + 1))
    with pytest.raises(protection.Refused):
        protection.check_form_stamp(protection.form_stamp())


# ---------------------------------------------------------------------------- rate limits


def _post(client, petition, email, address):
    return client.post(petition.get_absolute_url(), sign_form(email=email), REMOTE_ADDR=address)


def test_rate_limit_per_address(client, petition, settings):
    settings.PETITION_RATE_LIMITS = {"address": (2, 600)}
    assert _post(client, petition, "a@example.org", "192.0.2.10").status_code == 302
    assert _post(client, petition, "b@example.org", "192.0.2.10").status_code == 302
    response = _post(client, petition, "c@example.org", "192.0.2.10")
    assert response.status_code == 429
    assert "Too many signatures" in response.content.decode()
    assert not Signature.objects.filter(email="c@example.org").exists()
    # Another network is not affected.
    assert _post(client, petition, "d@example.org", "198.51.100.7").status_code == 302


def test_rate_limit_per_ipv4_network(client, petition, settings):
    settings.PETITION_RATE_LIMITS = {"network": (2, 600)}
    assert _post(client, petition, "a@example.org", "192.0.2.1").status_code == 302
    assert _post(client, petition, "b@example.org", "192.0.2.2").status_code == 302
    assert _post(client, petition, "c@example.org", "192.0.2.250").status_code == 429
    assert _post(client, petition, "d@example.org", "192.0.3.1").status_code == 302


def test_rate_limit_per_ipv6_network(client, petition, settings):
    settings.PETITION_RATE_LIMITS = {"network": (1, 600)}
    assert _post(client, petition, "a@example.org", "2001:db8:1:1::1").status_code == 302
    assert _post(client, petition, "b@example.org", "2001:db8:1:ffff::9").status_code == 429
    assert _post(client, petition, "c@example.org", "2001:db8:2::1").status_code == 302


def test_rate_limit_per_email_domain(client, petition, settings):
    settings.PETITION_RATE_LIMITS = {"domain": (2, 600)}
    assert _post(client, petition, "a@stuffing.example", "192.0.2.1").status_code == 302
    assert _post(client, petition, "b@stuffing.example", "198.51.100.1").status_code == 302
    assert _post(client, petition, "c@Stuffing.Example", "203.0.113.1").status_code == 429
    assert _post(client, petition, "c@other.example", "203.0.113.1").status_code == 302
    # Large providers are where real supporters are: their limit is much higher.
    for n in range(4):
        response = _post(client, petition, f"p{n}@gmail.com", f"10.{n}.0.1")
        assert response.status_code == 302


def test_rate_limit_keys_are_hashed_never_raw_addresses(client, petition):
    _post(client, petition, "a@example.org", "192.0.2.77")
    from django.core.cache import cache

    keys = list(cache._cache.keys())
    assert keys
    assert not any("192.0.2" in key for key in keys)
    assert not any("192.0.2" in str(value) for value in Signature.objects.values())


def test_network_of():
    assert protection.network_of("192.0.2.77") == "192.0.2.0/24"
    assert protection.network_of("2001:db8:1:2::3") == "2001:db8:1::/48"
    assert protection.network_of("::ffff:192.0.2.77") == "192.0.2.0/24"


# ------------------------------------------------------------------- disposable domains


def test_disposable_list_is_large_and_clean():
    domains = protection.disposable_domains()
    assert len(domains) >= 300
    pattern = re.compile(r"[a-z0-9-]+(\.[a-z0-9-]+)+")
    assert all(pattern.fullmatch(domain) for domain in domains)
    for big in ("gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "example.org"):
        assert big not in domains


@pytest.mark.parametrize(
    ("domain", "disposable"),
    [
        ("mailinator.com", True),
        ("guerrillamail.com", True),
        ("sub.yopmail.com", True),
        ("MAILINATOR.COM", True),
        ("gmail.com", False),
        ("notmailinator.com.example", False),
        ("uokerbala.edu.iq", False),
    ],
)
def test_is_disposable(domain, disposable):
    assert protection.is_disposable(domain) is disposable


# ----------------------------------------------------------------------- rate-jump alert


def test_rate_jumped():
    assert not protection.rate_jumped(5, 0)  # too few to be a jump
    assert protection.rate_jumped(60, 60)  # 6/min against 1/min
    assert not protection.rate_jumped(60, 600)  # 6/min against 10/min


def test_rate_jump_alerts_coordinators_once_per_window(
    client, petition, sign, monkeypatch, settings
):
    settings.PETITION_RATE_LIMITS = {"address": (1000, 600), "domain": (1000, 600)}
    monkeypatch.setattr(protection, "ALERT_MIN_RECENT", 3)
    monkeypatch.setattr(services, "RATE_CHECK_SECONDS", 0)
    coordinator = UserFactory(coordinator=True, preferred_language="ar")
    UserFactory()  # a member: not told
    for n in range(2):
        sign(petition, email=f"s{n}@example.org")
    assert not [m for m in mail.outbox if coordinator.email in m.to]
    sign(petition, email="s2@example.org")
    alerts = [m for m in mail.outbox if m.to == [coordinator.email]]
    assert len(alerts) == 1
    assert petition.title_ar in alerts[0].subject  # in the coordinator's language
    petition.refresh_from_db()
    assert petition.last_alert_at is not None
    for n in range(3, 8):
        sign(petition, email=f"s{n}@example.org")
    assert len([m for m in mail.outbox if m.to == [coordinator.email]]) == 1


def test_no_alert_for_a_steady_rate(petition):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    for minute in range(70):
        for _ in range(5):
            protection.record_signing(petition.pk, now=now - timedelta(minutes=minute))
    recent, before = protection.signing_rates(petition.pk, now=now)
    assert (recent, before) == (50, 300)
    assert not protection.rate_jumped(recent, before)
