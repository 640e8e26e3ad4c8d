from django.urls import path

from . import views

app_name = "sharing"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("calendar/", views.park_calendar, name="calendar"),
    path("offerings/new/", views.offering_edit, name="offering-create"),
    path("offerings/<int:pk>/edit/", views.offering_edit, name="offering-edit"),
    path("offerings/<int:pk>/resources/new/", views.resource_create, name="resource-create"),
    path("resources/<int:pk>/", views.resource_detail, name="resource"),
    path("resources/<int:pk>/edit/", views.resource_edit, name="resource-edit"),
    path("resources/<int:pk>/certifications/", views.certification_grant, name="certify"),
    path("bookings/", views.booking_list, name="booking-list"),
    path("bookings/<int:pk>/<slug:action>/", views.booking_action, name="booking-action"),
    path("statements/", views.statement, name="statement"),
    path("requests/", views.request_list, name="request-list"),
    path("requests/new/", views.request_create, name="request-create"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("stats/", views.stats, name="stats"),
]
