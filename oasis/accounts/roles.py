"""What each role may change. Reading is granted by any role in the park; writing by
capability. Kept as data so a new capability is one line here."""

from .models import Role

PARK_CHANGE = "park.change"
SPACE_CHANGE = "space.change"
ENTERPRISE_CHANGE = "enterprise.change"
FIGURES_CHANGE = "figures.change"

CAPABILITIES: dict[str, frozenset[str]] = {
    PARK_CHANGE: frozenset({Role.PARK_ADMIN}),
    SPACE_CHANGE: frozenset({Role.PARK_ADMIN, Role.LEASING}),
    ENTERPRISE_CHANGE: frozenset({Role.PARK_ADMIN, Role.ATTRACTION, Role.SERVICE}),
    FIGURES_CHANGE: frozenset({Role.PARK_ADMIN, Role.SERVICE}),
}
