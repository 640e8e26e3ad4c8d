"""The notification lists' filters (one ListFilter each, like every list's): the inbox
(?unread=1) and the staff's email deliveries (?status=, failed unless asked)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from oasis.core.filters import ListFilter

from .models import EmailDelivery


class InboxFilter(ListFilter):
    labels = {"unread": _("未读")}
    unread: bool = False


class DeliveryFilter(ListFilter):
    labels = {"status": _("状态")}
    status: EmailDelivery.Status = EmailDelivery.Status.FAILED
