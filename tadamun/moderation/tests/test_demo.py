import io

from tadamun.accounts.tests.factories import UserFactory
from tadamun.moderation.demo import DOMAIN, REPORTERS, seed
from tadamun.moderation.models import Report

from .conftest import make_post


def test_demo_reports_fill_the_queue_in_both_languages(db):
    for name in REPORTERS:
        UserFactory(email=f"{name}@{DOMAIN}")
    author = UserFactory(email=f"admin.basra@{DOMAIN}")
    first = make_post(author, body="مياه البصرة: أرقام جديدة", language="ar")
    make_post(author, body="Electricity privatisation: new figures")
    out = io.StringIO()
    seed(stdout=out)
    assert "demo reports waiting" in out.getvalue()
    reports = Report.objects.all()
    assert reports.filter(object_id=first.pk).count() == 2  # a group of two in the queue
    notes = set(reports.values_list("note", flat=True))
    assert any("الأرقام" in note for note in notes)
    assert any("figures" in note for note in notes)
    assert not reports.filter(reporter=author).exists()
    count = reports.count()
    seed(stdout=io.StringIO())
    assert Report.objects.count() == count


def test_demo_without_content_makes_no_report(db):
    out = io.StringIO()
    seed(stdout=out)
    assert "no reportable demo content" in out.getvalue()
    assert not Report.objects.exists()
