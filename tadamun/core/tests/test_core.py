import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from tadamun.accounts.models import User
from tadamun.core.mail import send_templated_mail
from tadamun.core.models import CaughtMail
from tadamun.core.templatetags.bidi import ldate, num, pick
from tadamun.core.text import clean_name, fold, has_bidi_controls

BASE = Path(settings.BASE_DIR)


# --- names: bidi controls and look-alikes ---------------------------------------------------


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Ahmed", "AHMED"),
        ("Ahmed", "Аhmed"),  # Cyrillic А
        ("paypal", "pаypаl"),  # Cyrillic а
        ("علي", "علی"),  # Farsi yeh
        ("كريم", "کريم"),  # keheh
        ("علي", "عَلِيّ"),  # tashkeel
        ("علي", "عـــلي"),  # tatweel
        ("احمد", "أحمد"),  # hamza on alef
        ("Sara 1", "Sara ١"),  # Arabic-Indic digit
        ("Ali", "A\u200bli"),  # zero-width space
        ("Ali Hassan", "Ali  Hassan"),
    ],
)
def test_look_alike_names_fold_to_the_same_form(one, other):
    assert fold(one) == fold(other)


@pytest.mark.parametrize(("one", "other"), [("Ali", "Alia"), ("علي", "عالي"), ("Sara", "Zara")])
def test_different_names_stay_different(one, other):
    assert fold(one) != fold(other)


@pytest.mark.parametrize("control", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066"])
def test_bidi_controls_are_detected_and_removed(control):
    name = f"Ali{control}live"
    assert has_bidi_controls(name)
    assert clean_name(name) == "Alilive"


@given(st.text(max_size=60))
def test_folding_is_idempotent_and_never_keeps_bidi_controls(text):
    folded = fold(text)
    assert fold(folded) == folded
    assert not has_bidi_controls(clean_name(text))


@pytest.mark.django_db
def test_user_save_keeps_folded_forms_unique():
    User.objects.create_user(
        username="ali", email="ali@example.org", password="x" * 12, display_name="Ali"
    )
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(
            username="ali2", email="ali2@example.org", password="x" * 12, display_name="АLI"
        )


# --- bilingual helpers ----------------------------------------------------------------------


class Bilingual:
    name_ar = "اسم"
    name_en = "Name"


class OnlyArabic:
    name_ar = "اسم"
    name_en = ""


def test_pick_follows_the_language_and_falls_back():
    assert pick(Bilingual(), "name", "ar") == "اسم"
    assert pick(Bilingual(), "name", "en") == "Name"
    assert pick(OnlyArabic(), "name", "en") == "اسم"


def test_numbers_and_dates_are_localised():
    import datetime

    from django.utils import translation

    with translation.override("ar"):
        assert num(12345) == "١٢٬٣٤٥"
        assert "تشرين الثاني" in ldate(datetime.date(2026, 11, 28))
    with translation.override("en"):
        assert num(12345) == "12,345"
        assert ldate(datetime.date(2026, 11, 28)) == "28 November 2026"


# --- language in URLs -----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("accept", "expected"), [("en-GB,en;q=0.9", "/en/"), ("ar-IQ", "/ar/")])
def test_first_visit_follows_accept_language(client, accept, expected):
    response = client.get("/", headers={"accept-language": accept})
    assert response.status_code == 302
    assert response["Location"] == expected


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "direction"), [("ar", "rtl"), ("en", "ltr")])
def test_html_lang_and_dir(client, language, direction):
    body = client.get(f"/{language}/").content.decode()
    assert f'<html lang="{language}" dir="{direction}">' in body


@pytest.mark.django_db
def test_language_switch_keeps_the_page_and_remembers_the_choice(client):
    user = User.objects.create_user(
        username="sara",
        email="sara@example.org",
        password="x" * 12,
        display_name="Sara",
        status=User.Status.MEMBER,
        preferred_language="en",
    )
    client.force_login(user)
    response = client.post(
        reverse("switch_language"), {"language": "ar", "next": "/en/accounts/login/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/ar/accounts/login/"
    user.refresh_from_db()
    assert user.preferred_language == "ar"
    # A signed-in person arriving without a prefix gets their preferred language.
    response = client.get("/", headers={"accept-language": "en"})
    assert response["Location"] == "/ar/"


@pytest.mark.django_db
def test_language_switch_refuses_to_redirect_elsewhere(client):
    response = client.post(
        reverse("switch_language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/en/"


@pytest.mark.django_db
def test_language_switch_with_unknown_language_falls_back(client):
    response = client.post(reverse("switch_language"), {"language": "xx", "next": "/en/"})
    assert response["Location"] == "/ar/"


# --- security headers -----------------------------------------------------------------------


@pytest.mark.django_db
def test_content_security_policy_has_no_unsafe_inline(client):
    response = client.get("/en/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


def test_production_profile_passes_check_deploy(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "a-long-random-production-secret-" + "k" * 40,
        "MFA_ENCRYPTION_KEY": "another-long-random-secret-for-mfa-" + "m" * 30,
        "ALLOWED_HOSTS": "tadamun.example.org",
        "SITE_URL": "https://tadamun.example.org",
        "VAR_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_profile_refuses_to_start_without_secrets(tmp_path):
    env = {**os.environ, "DEBUG": "0", "VAR_DIR": str(tmp_path)}
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


# --- mail -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_caught_mail_is_stored_and_readable_in_development(client, settings):
    settings.MAILERS = {"default": {"BACKEND": "tadamun.core.mail.CatchingEmailBackend"}}
    settings.DEBUG = True
    settings.MAIL_CATCHER_ENABLED = True
    from django.core.mail import send_mail

    send_mail("مرحبا", "نص الرسالة", "from@example.org", ["to@example.org"])
    caught = CaughtMail.objects.get()
    assert caught.subject == "مرحبا"
    assert client.get(reverse("core:dev_mail")).status_code == 200
    page = client.get(reverse("core:dev_mail_detail", args=[caught.pk]))
    assert "نص الرسالة" in page.content.decode()


@pytest.mark.django_db
def test_mail_catcher_page_does_not_exist_in_production(client, settings):
    settings.DEBUG = False
    assert client.get(reverse("core:dev_mail")).status_code == 404


@pytest.mark.django_db
def test_templated_mail_renders_in_the_recipients_language(tmp_path, settings):
    template_dir = tmp_path / "templates"
    (template_dir / "t").mkdir(parents=True)
    (template_dir / "t" / "hello_subject.txt").write_text(
        "{% load i18n %}{% translate 'Sign in' %}"
    )
    (template_dir / "t" / "hello.txt").write_text("{{ network_name }}")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [template_dir, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    send_templated_mail(template="t/hello", to="a@example.org", language="ar")
    assert mail.outbox[-1].body == settings.NETWORK_NAME["ar"]
    send_templated_mail(template="t/hello", to="a@example.org", language="en")
    assert mail.outbox[-1].subject == "Sign in"
    assert mail.outbox[-1].body == settings.NETWORK_NAME["en"]


def test_network_name_is_a_setting(monkeypatch):
    assert settings.NETWORK_NAME["en"] == "Iraqi Civil Society Solidarity Initiative"
    assert settings.NETWORK_NAME["ar"] == "مبادرة التضامن مع المجتمع المدني العراقي"


# --- error pages ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_not_found_page_is_in_the_readers_language_and_layout(client, settings):
    settings.DEBUG = False
    response = client.get("/ar/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in body
    assert "الصفحة غير موجودة" in body


@pytest.mark.django_db
def test_forbidden_page_is_in_the_readers_language(client, settings):
    settings.DEBUG = False
    member = User.objects.create_user(
        username="m", email="m@example.org", password="x" * 12, status=User.Status.MEMBER
    )
    client.force_login(member)
    response = client.get("/en/accounts/audit/")
    assert response.status_code == 403
    assert "Not allowed" in response.content.decode()


def test_server_error_page_needs_no_context():
    from django.template import loader

    html = loader.get_template("500.html").render({})
    assert "Server error" in html
    assert 'lang="ar"' in html
