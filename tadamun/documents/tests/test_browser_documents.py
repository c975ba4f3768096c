"""The libraries and a document's page in headless Chromium, in both languages: axe-core finds
no violation, nothing breaks the Content-Security-Policy, and uploading works with JavaScript
off."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tadamun.accounts.tests.factories import UserFactory
from tadamun.documents.models import Document
from tadamun.translations.models import Translation
from tadamun.workgroups.tests.factories import MembershipFactory, WorkgroupFactory

from .conftest import make_document

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

AXE = Axe()
DIRECTION = {"ar": "rtl", "en": "ltr"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def sign_in(context, base: str, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base}]
    )


def address(page, name: str, language: str, *args) -> str:
    with translation.override(language):
        return page.base + reverse(name, args=args or None)


def assert_accessible(page, url: str, language: str) -> None:
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    response = page.goto(url)
    assert response.status == 200, f"{url} answered {response.status}"
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("html").get_attribute("dir") == DIRECTION[language]
    results = AXE.run(page)
    assert results.violations_count == 0, f"{url}\n{results.generate_report()}"
    assert not errors, f"{url}: console errors {errors}"


@pytest.mark.parametrize("language", ["ar", "en"])
def test_library_and_document_pages_are_accessible(page, language):
    workgroup = WorkgroupFactory(name_ar="الخصخصة", name_en="Privatization")
    member = MembershipFactory(
        workgroup=workgroup, user=UserFactory(preferred_language=language)
    ).user
    document = make_document(
        by=member,
        title="تقرير عن خصخصة الموانئ",
        description="**ملخص**: ما تغيّر للعمال في أم قصر.\n\n- العقود\n- الأجور",
        versions=(b"one", b"two"),
    )
    Translation.objects.create(
        content_type=ContentType.objects.get_for_model(Document),
        object_id=document.pk,
        language="en",
        fields={"title": "Report on port privatization", "description": "**Summary**: ports."},
    )
    make_document(by=member, title="Public statement", audience="public", category="statement")
    make_document(by=member, title="Group minutes", workgroup=workgroup, category="minutes")
    assert_accessible(page, address(page, "documents:library", language), language)
    sign_in(page.context, page.base, member)
    assert_accessible(page, address(page, "documents:library", language), language)
    assert_accessible(
        page, address(page, "documents:library", language) + "?q=nothing&category=report", language
    )
    assert_accessible(
        page, address(page, "documents:workgroup", language, workgroup.slug), language
    )
    assert_accessible(page, address(page, "documents:detail", language, document.pk), language)
    assert_accessible(page, address(page, "documents:upload", language), language)


def test_upload_and_new_version_with_javascript_off(browser, live_server, tmp_path):
    context = browser.new_context(java_script_enabled=False, locale="ar")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base = live_server.url
    member = UserFactory(preferred_language="ar")
    sign_in(context, page.base, member)
    first = tmp_path / "تقرير.txt"
    first.write_text("النسخة الأولى", encoding="utf-8")
    second = tmp_path / "report-v2.csv"
    second.write_text("a,b\n1,2\n", encoding="utf-8")

    page.goto(address(page, "documents:upload", "ar"))
    page.set_input_files("#id_file", str(first))
    page.fill("#id_title", "تقرير الموانئ")
    page.select_option("#id_category", "report")
    page.locator('main form button[type="submit"]').click()
    page.wait_for_url(re.compile(r"/ar/documents/\d+/$"))
    assert page.locator("h1").inner_text() == "تقرير الموانئ"
    document = Document.objects.get()
    assert document.language == "ar"

    page.goto(address(page, "documents:new_version", "ar", document.pk))
    page.set_input_files("#id_file", str(second))
    page.locator('main form button[type="submit"]').click()
    page.wait_for_url(re.compile(r"/ar/documents/\d+/$"))
    assert page.locator("table.versions tbody tr").count() == 2
    assert list(document.versions.values_list("filename", flat=True)) == [
        "report-v2.csv",
        "تقرير.txt",
    ]
    context.close()
