import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation

from tadamun.core.models import AuditEvent
from tadamun.messaging.models import Message
from tadamun.petitions.models import Signature
from tadamun.privacy import report
from tadamun.social.models import Post

URL = "privacy:report"


def project_models() -> set:
    return {model for model in apps.get_models() if model.__module__.startswith("tadamun.")}


@pytest.mark.django_db
def test_every_model_of_the_project_is_described_or_declared_free_of_personal_data():
    covered = report.covered_models() & project_models()
    free = set(report.NO_PERSONAL_DATA)
    missing = project_models() - covered - free
    assert not missing, f"add these models to a section of privacy/report.py: {missing}"
    assert not covered & free, "a model is both described and declared free of personal data"
    # Nothing stale either: every model named still exists in the project.
    assert free <= project_models()


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 302), ("applicant", 302), ("member", 403), ("coordinator", 200)],
)
def test_report_get_is_for_coordinators_only(client, world, role, expected):
    user = world.user(role)
    if user:
        client.force_login(user)
    response = client.get(reverse(URL))
    assert response.status_code == expected
    if role == "anonymous":
        assert "/accounts/login/" in response["Location"]
    if role == "applicant":
        assert response["Location"] == reverse("accounts:pending")


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 302), ("applicant", 302), ("member", 403), ("coordinator", 405)],
)
def test_report_refuses_post(client, world, role, expected):
    user = world.user(role)
    if user:
        client.force_login(user)
    assert client.post(reverse(URL)).status_code == expected


def test_report_counts_are_the_live_counts(client, world):
    client.force_login(world.coordinator)
    response = client.get(reverse(URL))
    sections = {section.key: section for section in response.context["sections"]}
    assert len(sections) == len(response.context["sections"])
    for section in sections.values():
        if section.key == "sessions":
            # Signing in the test client makes the tracked session after the page is drawn.
            continue
        assert [row.count for row in section.rows] == [
            model.objects.count() for model in section.models
        ]
    signatures = dict(zip(sections["signatures"].models, sections["signatures"].rows, strict=True))
    assert signatures[Signature].count == Signature.objects.count() == 2
    posts = dict(zip(sections["posts"].models, sections["posts"].rows, strict=True))
    assert posts[Post].count == Post.objects.count() == 2
    messages = dict(zip(sections["messages"].models, sections["messages"].rows, strict=True))
    assert messages[Message].count == 3
    html = response.content.decode()
    assert f'data-count="{Message.objects.count()}"' in html
    assert f'data-count="{AuditEvent.objects.count()}"' in html


def test_report_reads_the_retention_settings(client, world, settings):
    settings.PETITION_ANONYMISE_AFTER_DAYS = 97
    settings.SESSION_COOKIE_AGE = 60 * 60 * 24 * 5
    settings.INVITATION_MAX_AGE_DAYS = 11
    client.force_login(world.coordinator)
    html = client.get(reverse(URL)).content.decode()
    assert "97 days after the petition closes" in html
    assert "A session ends 5 days after sign-in" in html
    assert "stops working after 11 days" in html
    assert "Kept until the account is deleted." in html


def test_report_in_arabic_uses_arabic_digits(client, world):
    client.force_login(world.coordinator)
    with translation.override("ar"):
        response = client.get(reverse(URL))
    assert response.status_code == 200
    html = response.content.decode()
    # 183 days, the default anonymisation period, and the two signatures in Arabic-Indic digits.
    assert "١٨٣" in html
    assert 'data-count="2">٢<' in html
