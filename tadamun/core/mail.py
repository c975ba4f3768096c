"""Development mail catcher and the helper that renders mail in the recipient's language."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string
from django.utils import translation


class CatchingEmailBackend(BaseEmailBackend):
    """Stores every outgoing message in the database instead of sending it."""

    def send_messages(self, email_messages):
        from tadamun.core.models import CaughtMail

        for message in email_messages:
            html = ""
            for content, mimetype in getattr(message, "alternatives", []) or []:
                if mimetype == "text/html":
                    html = content
            CaughtMail.objects.create(
                subject=str(message.subject),
                from_email=str(message.from_email),
                to=", ".join(message.recipients()),
                body=str(message.body),
                html=html,
                raw=message.message().as_bytes(),
            )
        return len(email_messages)


def send_templated_mail(
    *, template: str, to: str, language: str, context: dict | None = None
) -> None:
    """Render `<template>_subject.txt` and `<template>.txt` in `language` and send them."""
    context = {
        **(context or {}),
        "site_url": settings.SITE_URL,
        "network_name": settings.NETWORK_NAME.get(language, settings.NETWORK_NAME["en"]),
        "language": language,
    }
    with translation.override(language):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}.txt", context)
    EmailMultiAlternatives(subject=subject, body=body, to=[to]).send()
