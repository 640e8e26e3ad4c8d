"""What each role may change. Reading is granted by any role in the park; writing by
capability. Kept as data so a new capability is one line here."""

from .models import Role

PARK_CHANGE = "park.change"
SPACE_CHANGE = "space.change"
ENTERPRISE_CHANGE = "enterprise.change"
FIGURES_CHANGE = "figures.change"
# Reading a park: any role in it.
VIEW = "park.view"

CAPABILITIES: dict[str, frozenset[str]] = {
    VIEW: frozenset(Role.values),
    PARK_CHANGE: frozenset({Role.PARK_ADMIN}),
    SPACE_CHANGE: frozenset({Role.PARK_ADMIN, Role.LEASING}),
    ENTERPRISE_CHANGE: frozenset({Role.PARK_ADMIN, Role.ATTRACTION, Role.SERVICE}),
    FIGURES_CHANGE: frozenset({Role.PARK_ADMIN, Role.SERVICE}),
    "sharing.change": frozenset({Role.PARK_ADMIN, Role.SHARING}),
}

# Investment attraction (issue 5): who works leads, and who assigns them.
ATTRACTION_CHANGE = "attraction.change"
ATTRACTION_MANAGE = "attraction.manage"
CAPABILITIES.update(
    {
        ATTRACTION_CHANGE: frozenset({Role.PARK_ADMIN, Role.ATTRACTION}),
        ATTRACTION_MANAGE: frozenset({Role.PARK_ADMIN}),
    }
)

# Enterprise portal (issue 7): reporting campaigns, notices, the service desk.
CAMPAIGN_MANAGE = "campaign.manage"
REPORT_REVIEW = "report.review"
NOTICE_PUBLISH = "notice.publish"
TICKET_HANDLE = "ticket.handle"
CAPABILITIES.update(
    {
        CAMPAIGN_MANAGE: frozenset({Role.PARK_ADMIN, Role.SERVICE}),
        REPORT_REVIEW: frozenset({Role.PARK_ADMIN, Role.SERVICE}),
        NOTICE_PUBLISH: frozenset({Role.PARK_ADMIN, Role.SERVICE}),
        TICKET_HANDLE: frozenset({Role.PARK_ADMIN, Role.SERVICE, Role.LEASING, Role.SHARING}),
    }
)

# One service request (issue 14): the staff queue is routed by the request's type.
REQUEST_REPAIR = "request.repair"
REQUEST_QUESTION = "request.question"
REQUEST_SERVICE = "request.service"
CAPABILITIES.update(
    {
        REQUEST_REPAIR: frozenset({Role.PARK_ADMIN, Role.SERVICE, Role.LEASING}),
        REQUEST_QUESTION: frozenset({Role.PARK_ADMIN, Role.SERVICE}),
        REQUEST_SERVICE: frozenset({Role.PARK_ADMIN, Role.SHARING}),
    }
)
