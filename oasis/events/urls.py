"""Event and showcase pages, under /sharing/ where they have always been."""

from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("events/", views.event_list, name="event-list"),
    path("events/new/", views.event_edit, name="event-create"),
    path("events/<int:pk>/", views.event_detail, name="event"),
    path("events/<int:pk>/edit/", views.event_edit, name="event-edit"),
    path("showcases/", views.showcase_list, name="showcase-list"),
    path("showcases/mine/", views.showcase_edit, name="showcase-edit"),
    path("showcases/<int:pk>/", views.showcase_detail, name="showcase"),
]
