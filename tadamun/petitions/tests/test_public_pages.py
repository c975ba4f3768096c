"""The public pages: who sees what, in Arabic and English, without JavaScript."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from tadamun.petitions import tally
from tadamun.petitions.models import Signature
from tadamun.petitions.tests.conftest import confirm_link
from tadamun.petitions.tests.factories import PartnerFactory, PetitionFactory, SignatureFactory

pytestmark = pytest.mark.django_db

INLINE = re.compile(r"<script(?![^>]*\bsrc=)|\sstyle=|\son[a-z]+=", re.IGNORECASE)


def assert_no_inline_code(response):
    html = response.content.decode()
    assert not INLINE.search(html), INLINE.search(html)


@pytest.mark.parametrize("language", ["ar", "en"])
def test_petition_page_in_both_languages(client, petition, language):
    SignatureFactory(petition=petition, confirmed=True, governorate="erbil")
    with translation.override(language):
        url = reverse("petitions:petition", args=[petition.slug])
    assert url.startswith(f"/{language}/petitions/")
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    title = petition.title_ar if language == "ar" else petition.title_en
    assert title in html
    assert "<strong>" in html  # rendered markdown of the text
    assert "<progress" in html
    assert 'name="email"' in html
    assert 'dir="ltr"' in html
    assert 'name="started"' in html
    assert 'name="website"' in html
    assert f'lang="{language}"' in html
    assert_no_inline_code(response)


def test_draft_petition_is_not_public(client):
    draft = PetitionFactory(draft=True)
    for name, args in [
        ("petitions:petition", [draft.slug]),
        ("petitions:widget", [draft.slug]),
        ("petitions:names", [draft.slug]),
        ("petitions:check_email", [draft.slug]),
        ("petitions:confirmed", [draft.slug]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404
    assert client.get(reverse("petitions:list")).content.decode().count(draft.title_en) == 0


def test_draft_petition_refuses_signatures(client, sign):
    draft = PetitionFactory(draft=True)
    response = sign(draft)
    assert response.status_code == 404
    assert not Signature.objects.exists()


def test_list_shows_open_petitions_only(client):
    open_one = PetitionFactory()
    closed = PetitionFactory(closed=True)
    html = client.get(reverse("petitions:list")).content.decode()
    assert open_one.title_en in html
    assert closed.title_en not in html


def test_closed_petition_shows_counts_and_refuses_signatures(client, sign):
    closed = PetitionFactory(closed=True)
    SignatureFactory(petition=closed, confirmed=True)
    response = client.get(closed.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "no longer takes signatures" in html
    assert 'name="email"' not in html
    response = sign(closed, email="late@example.org")
    assert response.status_code == 403
    assert "no longer takes signatures" in response.content.decode()
    assert not Signature.objects.filter(email="late@example.org").exists()
    assert mail.outbox == []


def test_sign_confirm_flow_end_to_end(client, petition, sign):
    response = sign(petition, email="Zainab.K+iraq@Example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("petitions:check_email", args=[petition.slug])
    page = client.get(response["Location"])
    assert "Check your e-mail" in page.content.decode()
    signature = Signature.objects.get()
    assert signature.state == Signature.State.PENDING
    assert signature.email_normalised == "zainab.k@example.org"
    assert signature.language == "en"
    assert len(mail.outbox) == 1
    link = confirm_link(mail.outbox[0])
    assert tally.counts(petition, fresh=True).total == 0

    # GET only shows a button: a mail scanner opening the link confirms nothing.
    page = client.get(link)
    assert page.status_code == 200
    assert "Confirm my signature" in page.content.decode()
    signature.refresh_from_db()
    assert signature.state == Signature.State.PENDING

    response = client.post(link)
    assert response.status_code == 302
    assert response["Location"] == reverse("petitions:confirmed", args=[petition.slug])
    signature.refresh_from_db()
    assert signature.state == Signature.State.CONFIRMED
    assert signature.confirmed_at is not None
    page = client.get(response["Location"])
    assert page.context["progress"].total == 1
    assert "your signature counts" in page.content.decode()


def test_arabic_signer_gets_arabic_mail(client, petition, django_capture_on_commit_callbacks):
    from tadamun.petitions.tests.conftest import sign_form

    with translation.override("ar"):
        url = reverse("petitions:petition", args=[petition.slug])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, sign_form(email="ali@example.org"))
    assert response.status_code == 302
    assert response["Location"].startswith("/ar/")
    assert Signature.objects.get().language == "ar"
    message = mail.outbox[0]
    assert petition.title_ar in message.subject
    assert "/ar/petitions/" in message.body


def test_partner_page_and_counts(client, petition, sign):
    partner = PartnerFactory(petition=petition)
    other = PartnerFactory(petition=petition)
    response = client.get(partner.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert partner.consent_en in html
    assert 'name="consent_partner"' in html
    assert "&lt;iframe" in html  # the snippet partners paste
    assert reverse("petitions:partner_widget", args=[petition.slug, partner.slug]) in html
    # The petition's own page asks no partner consent.
    assert 'name="consent_partner"' not in client.get(petition.get_absolute_url()).content.decode()

    sign(petition, partner=partner, email="a@example.org", consent_partner="on")
    sign(petition, partner=partner, email="b@example.org", consent_lead=None)
    sign(petition, email="c@example.org", consent_partner="on")
    a, b, c = (Signature.objects.get(email=f"{x}@example.org") for x in "abc")
    assert (a.partner, a.consent_partner, a.consent_lead) == (partner, True, True)
    assert (b.partner, b.consent_partner, b.consent_lead) == (partner, False, False)
    assert (c.partner, c.consent_partner) == (None, False)
    for message in mail.outbox:
        client.post(confirm_link(message))
    found = tally.counts(petition, fresh=True)
    assert found.total == 3
    assert found.by_partner == {partner.pk: 2}
    page = client.get(partner.get_absolute_url())
    assert page.context["progress"].partner_count == 2
    assert client.get(other.get_absolute_url()).context["progress"].partner_count == 0


def test_inactive_or_foreign_partner_page_is_404(client, petition):
    inactive = PartnerFactory(petition=petition, active=False)
    foreign = PartnerFactory()
    assert client.get(inactive.get_absolute_url()).status_code == 404
    url = reverse("petitions:partner", args=[petition.slug, foreign.slug])
    assert client.get(url).status_code == 404


def test_counts_tables_by_country_and_governorate(client, petition):
    SignatureFactory(petition=petition, confirmed=True, governorate="erbil")
    SignatureFactory(petition=petition, confirmed=True, governorate="erbil")
    SignatureFactory(petition=petition, confirmed=True, governorate="halabja")
    SignatureFactory(petition=petition, confirmed=True, country="FR", governorate="")
    SignatureFactory(petition=petition)  # pending: not counted
    tally.forget(petition)
    response = client.get(petition.get_absolute_url())
    progress = response.context["progress"]
    assert progress.total == 4
    assert [(row.code, row.count) for row in progress.by_governorate] == [
        ("erbil", 2),
        ("halabja", 1),
    ]
    assert [(row.code, row.count) for row in progress.by_country] == [("IQ", 3), ("FR", 1)]
    html = response.content.decode()
    assert "Erbil" in html
    assert "Halabja" in html
    assert "France" in html


def test_next_goal_rises_past_the_first(client):
    petition = PetitionFactory(goal=2)
    for _ in range(2):
        SignatureFactory(petition=petition, confirmed=True)
    tally.forget(petition)
    progress = client.get(petition.get_absolute_url()).context["progress"]
    assert (progress.total, progress.goal) == (2, 4)


def test_counter_comes_from_the_tallies_not_a_count(
    client, petition, django_assert_max_num_queries
):
    for _ in range(5):
        SignatureFactory(petition=petition, confirmed=True)
    # A signature confirmed without its tally (as if counted elsewhere) is not counted here:
    # the page reads tallies only.
    SignatureFactory(petition=petition, confirmed=True, count=False)
    tally.forget(petition)
    assert client.get(petition.get_absolute_url()).context["progress"].total == 5


def test_names_list_shows_only_chosen_confirmed_names(client, petition):
    SignatureFactory(petition=petition, confirmed=True, name="Shown Person")
    SignatureFactory(petition=petition, confirmed=True, name="Hidden Person", show_name=False)
    SignatureFactory(petition=petition, name="Pending Person")
    SignatureFactory(petition=petition, confirmed=True, name="Gone Person", anonymised=True)
    SignatureFactory(
        petition=petition, state=Signature.State.INVALID, name="Void Person", count=False
    )
    SignatureFactory(petition=petition, confirmed=True, name="<script>alert(1)</script>")
    response = client.get(reverse("petitions:names", args=[petition.slug]))
    html = response.content.decode()
    assert '<bdi dir="auto">Shown Person</bdi>' in html
    for hidden in ("Hidden Person", "Pending Person", "Gone Person", "Void Person"):
        assert hidden not in html
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html
    assert "example.org" not in html  # never an address


def test_widget_may_be_framed_anywhere(client, petition):
    SignatureFactory(petition=petition, confirmed=True)
    response = client.get(reverse("petitions:widget", args=[petition.slug]))
    assert response.status_code == 200
    assert "X-Frame-Options" not in response.headers
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors *" in csp
    assert "script-src 'self'" in csp
    html = response.content.decode()
    assert "<script" not in html
    assert 'target="_blank"' in html
    assert petition.get_absolute_url() in html
    assert_no_inline_code(response)
    partner = PartnerFactory(petition=petition)
    response = client.get(reverse("petitions:partner_widget", args=[petition.slug, partner.slug]))
    assert partner.get_absolute_url() in response.content.decode()


def test_other_pages_may_not_be_framed(client, petition):
    response = client.get(petition.get_absolute_url())
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
