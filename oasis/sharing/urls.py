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
    path("finance/", views.finance, name="finance"),
    path("finance/institutions/new/", views.institution_edit, name="institution-create"),
    path(
        "finance/institutions/<int:pk>/edit/",
        views.institution_edit,
        name="institution-edit",
    ),
    path(
        "finance/institutions/<int:pk>/products/new/",
        views.product_create,
        name="product-create",
    ),
    path("finance/products/<int:pk>/edit/", views.product_edit, name="product-edit"),
    path("finance/needs/new/", views.need_create, name="need-create"),
    path("finance/needs/<int:pk>/", views.need_detail, name="need"),
    path("events/", views.event_list, name="event-list"),
    path("events/new/", views.event_edit, name="event-create"),
    path("events/<int:pk>/", views.event_detail, name="event"),
    path("events/<int:pk>/edit/", views.event_edit, name="event-edit"),
    path("showcases/", views.showcase_list, name="showcase-list"),
    path("showcases/mine/", views.showcase_edit, name="showcase-edit"),
    path("showcases/<int:pk>/", views.showcase_detail, name="showcase"),
    path("stats/", views.stats, name="stats"),
]
