from django.urls import path

from . import views

app_name = "cultivation"

urlpatterns = [
    path("screening/", views.screening, name="screening"),
    path("screening/export/", views.screening_export, name="screening-export"),
    path("pool/", views.pool, name="pool"),
    path("pool/new/", views.pool_entry_edit, name="pool-create"),
    path("pool/<int:pk>/", views.pool_entry_edit, name="pool-edit"),
    path("reminders/<int:pk>/done/", views.reminder_done, name="reminder-done"),
    path("enterprises/<int:pk>/", views.profile_edit, name="profile"),
    path("enterprises/<int:pk>/<str:kind>/new/", views.record_edit, name="record-create"),
    path(
        "enterprises/<int:pk>/<str:kind>/<int:record_id>/",
        views.record_edit,
        name="record-edit",
    ),
    path(
        "enterprises/<int:pk>/<str:kind>/<int:record_id>/delete/",
        views.record_delete,
        name="record-delete",
    ),
]
