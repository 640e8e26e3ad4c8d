from django.urls import path

from . import views

app_name = "parks"

urlpatterns = [
    path("", views.park_list, name="park-list"),
    path("<int:pk>/", views.park_detail, name="park-detail"),
    path("<int:pk>/edit/", views.park_edit, name="park-edit"),
    path("<int:park_pk>/buildings/new/", views.building_create, name="building-create"),
    path("buildings/<int:pk>/", views.building_detail, name="building-detail"),
    path("buildings/<int:pk>/edit/", views.building_edit, name="building-edit"),
    path("buildings/<int:building_pk>/units/new/", views.unit_create, name="unit-create"),
    path("units/", views.unit_list, name="unit-list"),
    path("units/<int:pk>/", views.unit_edit, name="unit-edit"),
]
