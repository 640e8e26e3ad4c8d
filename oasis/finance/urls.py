"""Shared finance pages, under /sharing/finance/ where they have always been."""

from django.urls import path

from . import views

app_name = "finance"

urlpatterns = [
    path("", views.finance, name="finance"),
    path("institutions/new/", views.institution_edit, name="institution-create"),
    path("institutions/<int:pk>/edit/", views.institution_edit, name="institution-edit"),
    path("institutions/<int:pk>/products/new/", views.product_create, name="product-create"),
    path("products/<int:pk>/edit/", views.product_edit, name="product-edit"),
    path("needs/new/", views.need_create, name="need-create"),
    path("needs/<int:pk>/", views.need_detail, name="need"),
]
