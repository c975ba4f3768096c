"""Keep as little as possible: what the site no longer needs is removed on a schedule
(`manage.py periodic`, hourly in production, every five minutes in `make run`).

- ended sessions (Django keeps them until `clearsessions`), and the signed-in-browser rows
  whose session is gone;
- finished background-task results (their arguments are record numbers, their errors may quote
  data) after `TASK_RESULT_RETENTION_DAYS`;
- the raw bytes and envelope sender of inbound list mail after `INBOUND_RAW_RETENTION_DAYS`, once
  handled (the post made from it keeps what readers see; messages still being processed or
  failed and waiting for another try keep their bytes);
- mail caught in development after `CAUGHT_MAIL_RETENTION_DAYS`.

Each step is independent: one failing does not stop the others (it is logged and counted)."""

import datetime
import logging

from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

logger = logging.getLogger(__name__)


def _days_ago(now: datetime.datetime, days: int) -> datetime.datetime:
    return now - datetime.timedelta(days=days)


def purge_sessions(now: datetime.datetime) -> int:
    from tadamun.accounts.models import UserSession

    ended, _ = Session.objects.filter(expire_date__lt=now).delete()
    orphans, _ = UserSession.objects.exclude(
        session_key__in=Session.objects.values("session_key")
    ).delete()
    return ended + orphans


def purge_task_results(now: datetime.datetime) -> int:
    from django_tasks_db.models import DBTaskResult

    deleted, _ = DBTaskResult.objects.filter(
        finished_at__lt=_days_ago(now, settings.TASK_RESULT_RETENTION_DAYS)
    ).delete()
    return deleted


def purge_inbound_raw(now: datetime.datetime) -> int:
    from tadamun.lists.models import InboundMessage

    keep = (InboundMessage.State.ACCEPTED, InboundMessage.State.FAILED)
    return (
        InboundMessage.objects.filter(
            received__lt=_days_ago(now, settings.INBOUND_RAW_RETENTION_DAYS)
        )
        .exclude(state__in=keep)
        .exclude(raw=b"", envelope_from="")
        .update(raw=b"", envelope_from="")
    )


def purge_caught_mail(now: datetime.datetime) -> int:
    from tadamun.core.models import CaughtMail

    deleted, _ = CaughtMail.objects.filter(
        created__lt=_days_ago(now, settings.CAUGHT_MAIL_RETENTION_DAYS)
    ).delete()
    return deleted


STEPS = {
    "sessions": purge_sessions,
    "task_results": purge_task_results,
    "inbound_raw": purge_inbound_raw,
    "caught_mail": purge_caught_mail,
}


def purge_due(now: datetime.datetime | None = None) -> dict[str, int]:
    """Run every step; a step that fails reports -1 and the others still run."""
    now = now or timezone.now()
    report = {}
    for name, step in STEPS.items():
        try:
            report[name] = step(now)
        except Exception:
            logger.exception("retention step %s failed", name)
            report[name] = -1
    return report
