"""Background work of the public side (django.tasks; the arguments are primary keys)."""

from __future__ import annotations

from django.conf import settings
from django.tasks import task
from django.utils import translation

from tadamun.core.mail import send_templated_mail
from tadamun.petitions import outbox
from tadamun.petitions.models import Petition, Signature
from tadamun.petitions.protection import ALERT_BEFORE, ALERT_RECENT
from tadamun.petitions.tally import counts


@task(queue_name="mail")
def send_signature_mail(*, mail_id: int) -> dict:
    """Send one outbox row now; a row that is not due (sent, or claimed by another worker) is
    left alone. (Tasks queued by earlier versions; new rows wake a sender instead.)"""
    return vars(outbox.send_due(mail_ids=[mail_id]))


@task(queue_name="mail")
def send_signer_mail(*, slot: int) -> dict:
    """One of the senders woken by new signatures (outbox.wake_senders)."""
    return vars(outbox.run_sender(slot))


@task(queue_name="mail")
def send_due_mail_task() -> dict:
    return outbox.send_due_mail()


@task(queue_name="mail")
def send_already_signed(*, signature_id: int, language: str) -> bool:
    """Tell a confirmed signer who signed again that their signature already counts (the
    page they saw said only "check your e-mail")."""
    signature = (
        Signature.objects.select_related("petition")
        .filter(pk=signature_id, state=Signature.State.CONFIRMED, anonymised=False)
        .exclude(email="")
        .first()
    )
    if signature is None:
        return False
    language = language if language in ("ar", "en") else signature.language
    petition = signature.petition
    send_templated_mail(
        template="petitions/mail/already_signed",
        to=signature.email,
        language=language,
        context={
            "petition_title": petition.text_in("title", language),
            "petition_url": settings.SITE_URL + _localised(petition.get_absolute_url, language),
        },
    )
    return True


@task(queue_name="mail")
def send_rate_alert(*, petition_id: int, recent: int, before: int) -> int:
    """Tell the network's coordinators that signatures are coming in much faster than before
    (a success, or an attack): each in their own language."""
    from tadamun.accounts.models import User

    petition = Petition.objects.filter(pk=petition_id).first()
    if petition is None:
        return 0
    coordinators = User.objects.filter(
        is_active=True, is_coordinator=True, status=User.Status.MEMBER
    ).exclude(email="")
    total = counts(petition, fresh=True).total
    sent = 0
    for person in coordinators:
        language = person.preferred_language if person.preferred_language in ("ar", "en") else "ar"
        send_templated_mail(
            template="petitions/mail/rate_alert",
            to=person.email,
            language=language,
            context={
                "petition_title": petition.text_in("title", language),
                "petition_url": settings.SITE_URL + _localised(petition.get_absolute_url, language),
                "recent": recent,
                "before": before,
                "recent_minutes": ALERT_RECENT,
                "before_minutes": ALERT_BEFORE,
                "total": total,
            },
        )
        sent += 1
    return sent


def _localised(url_function, language: str) -> str:
    with translation.override(language):
        return url_function()
