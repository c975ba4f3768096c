"""Demo reports: a few members report some of the demo content (whatever reportable kinds the
other apps seeded before this runs), in Arabic and in English, so the reviewers' queue has
something in it."""

from django.core.exceptions import ValidationError

from tadamun.accounts.models import User
from tadamun.core import content
from tadamun.moderation import selectors, services
from tadamun.moderation.models import Reason, Report

DOMAIN = "demo.tadamun.example"
REPORTERS = ["member.dhiqar", "member.france", "translator", "member.basra"]
REPORTS = [
    (Reason.MISLEADING, "الأرقام الواردة هنا لا تطابق تقرير الوزارة المنشور."),
    (Reason.MISLEADING, "These figures do not match the ministry's published report."),
    (Reason.PRIVATE_INFORMATION, "This names a colleague's home district; please check."),
    (Reason.SPAM, ""),
]


def _candidates(limit: int) -> list:
    items = []
    for kind in content.kinds():
        if selectors.is_reportable(kind.model):
            items += list(kind.model._default_manager.filter(is_hidden=False).order_by("pk")[:2])
    return items[:limit]


def seed(*, stdout) -> None:
    if Report.objects.exists():
        stdout.write("moderation: reports exist already; nothing to do.")
        return
    people = {
        user.email.split("@")[0]: user
        for user in User.objects.filter(email__in=[f"{name}@{DOMAIN}" for name in REPORTERS])
    }
    reporters = [people[name] for name in REPORTERS if name in people]
    items = _candidates(3)
    if not reporters or not items:
        stdout.write("moderation: no reportable demo content yet; no reports made.")
        return
    made = 0
    # The first item gets two reports (so the queue shows a group), the others one each.
    plan = [items[0], items[0], *items[1:]]
    for (reason, note), obj in zip(REPORTS, plan, strict=False):
        for reporter in reporters:
            if not selectors.may_report(reporter, obj) or selectors.has_open_report(reporter, obj):
                continue
            try:
                services.report_create(reporter=reporter, obj=obj, reason=reason, note=note)
            except ValidationError:
                continue
            made += 1
            break
    stdout.write(f"moderation: {made} demo reports waiting for the reviewers.")
