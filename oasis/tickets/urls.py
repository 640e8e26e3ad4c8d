from django.urls import path

from . import views

app_name = "tickets"

urlpatterns = [
    path("", views.ticket_list, name="ticket-list"),
    path("new/", views.ticket_create, name="ticket-create"),
    path("<int:ticket_id>/", views.ticket_detail, name="ticket-detail"),
    path("<int:ticket_id>/assign/", views.ticket_assign, name="ticket-assign"),
    path("<int:ticket_id>/resolve/", views.ticket_resolve, name="ticket-resolve"),
    path("<int:ticket_id>/confirm/", views.ticket_confirm, name="ticket-confirm"),
    path("<int:ticket_id>/reopen/", views.ticket_reopen, name="ticket-reopen"),
    path(
        "<int:ticket_id>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="ticket-attachment",
    ),
]
