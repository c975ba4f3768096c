"""The audit log's one write path. Services call `audit()`; coordinators read the log."""

from typing import Any

from tadamun.core.models import AuditEvent


def audit(action: str, *, actor=None, subject=None, **detail: Any) -> AuditEvent:
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEvent.objects.create(action=action, actor=actor, subject=subject, detail=detail)
