from typing import Any

from . import selectors


def access(request: Any) -> dict[str, Any]:
    """What the base layout needs to draw the right menu."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "is_staff_user": selectors.user_is_staff(user),
        "is_park_admin": selectors.user_is_park_admin_anywhere(user),
    }
