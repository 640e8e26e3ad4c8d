from typing import Any

from .selectors import unread_count


def inbox(request: Any) -> dict[str, Any]:
    """The unread count in the header of every page (one query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(user=user)}
