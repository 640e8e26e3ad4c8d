from django.urls import path

from . import views

urlpatterns = [
    path("screening/", views.screening, name="cultivation-screening"),
    path("screening/export/", views.screening_export, name="cultivation-screening-export"),
    path("pool/", views.pool, name="cultivation-pool"),
    path("pool/new/", views.pool_entry_edit, name="cultivation-pool-create"),
    path("pool/<int:pk>/", views.pool_entry_edit, name="cultivation-pool-edit"),
    path("reminders/<int:pk>/done/", views.reminder_done, name="cultivation-reminder-done"),
    path("enterprises/<int:pk>/", views.profile_edit, name="cultivation-profile"),
    path(
        "enterprises/<int:pk>/<str:kind>/new/", views.record_edit, name="cultivation-record-create"
    ),
    path(
        "enterprises/<int:pk>/<str:kind>/<int:record_id>/",
        views.record_edit,
        name="cultivation-record-edit",
    ),
    path(
        "enterprises/<int:pk>/<str:kind>/<int:record_id>/delete/",
        views.record_delete,
        name="cultivation-record-delete",
    ),
]
