from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.notification_open, name="notification-open"),
    path("read/", views.mark_read, name="notification-read"),
    path("preferences/", views.preferences, name="preferences"),
    path("emails/", views.delivery_list, name="delivery-list"),
    path("emails/<int:pk>/retry/", views.delivery_retry, name="delivery-retry"),
]
