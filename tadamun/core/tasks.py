from django.tasks import task

from tadamun.core.mail import send_templated_mail


@task(queue_name="mail")
def send_templated_mail_task(*, template: str, to: str, language: str, context: dict) -> None:
    """Send one templated e-mail; enqueued with transaction.on_commit by services."""
    send_templated_mail(template=template, to=to, language=language, context=context)
