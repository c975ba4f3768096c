"""`unread_notifications` for the header badge: one COUNT for signed-in members, asked at most
once per request however many times templates are rendered."""

from tadamun.accounts.selectors import viewer_is_member


def unread(request) -> dict:
    if not viewer_is_member(getattr(request, "user", None)):
        return {}
    count = getattr(request, "_unread_notifications", None)
    if count is None:
        from tadamun.notifications.selectors import unread_count

        count = unread_count(request.user)
        request._unread_notifications = count
    return {"unread_notifications": count}
