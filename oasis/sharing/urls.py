from django.urls import path

from . import views

urlpatterns = [
    path("", views.catalogue, name="sharing-catalogue"),
    path("calendar/", views.park_calendar, name="sharing-calendar"),
    path("offerings/new/", views.offering_edit, name="sharing-offering-create"),
    path("offerings/<int:pk>/edit/", views.offering_edit, name="sharing-offering-edit"),
    path(
        "offerings/<int:pk>/resources/new/", views.resource_create, name="sharing-resource-create"
    ),
    path("resources/<int:pk>/", views.resource_detail, name="sharing-resource"),
    path("resources/<int:pk>/edit/", views.resource_edit, name="sharing-resource-edit"),
    path("resources/<int:pk>/certifications/", views.certification_grant, name="sharing-certify"),
    path("bookings/", views.booking_list, name="sharing-booking-list"),
    path("bookings/<int:pk>/<slug:action>/", views.booking_action, name="sharing-booking-action"),
    path("statements/", views.statement, name="sharing-statement"),
    path("requests/", views.request_list, name="sharing-request-list"),
    path("requests/new/", views.request_create, name="sharing-request-create"),
    path("requests/<int:pk>/", views.request_detail, name="sharing-request"),
    path("finance/", views.finance, name="sharing-finance"),
    path("finance/institutions/new/", views.institution_edit, name="sharing-institution-create"),
    path(
        "finance/institutions/<int:pk>/edit/",
        views.institution_edit,
        name="sharing-institution-edit",
    ),
    path(
        "finance/institutions/<int:pk>/products/new/",
        views.product_create,
        name="sharing-product-create",
    ),
    path("finance/products/<int:pk>/edit/", views.product_edit, name="sharing-product-edit"),
    path("finance/needs/new/", views.need_create, name="sharing-need-create"),
    path("finance/needs/<int:pk>/", views.need_detail, name="sharing-need"),
    path("events/", views.event_list, name="sharing-event-list"),
    path("events/new/", views.event_edit, name="sharing-event-create"),
    path("events/<int:pk>/", views.event_detail, name="sharing-event"),
    path("events/<int:pk>/edit/", views.event_edit, name="sharing-event-edit"),
    path("showcases/", views.showcase_list, name="sharing-showcase-list"),
    path("showcases/mine/", views.showcase_edit, name="sharing-showcase-edit"),
    path("showcases/<int:pk>/", views.showcase_detail, name="sharing-showcase"),
    path("stats/", views.stats, name="sharing-stats"),
]
