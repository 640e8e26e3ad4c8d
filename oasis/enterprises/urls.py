from django.urls import path

from . import views

app_name = "enterprises"

urlpatterns = [
    path("", views.enterprise_list, name="enterprise-list"),
    path("new/", views.enterprise_create, name="enterprise-create"),
    path("<int:pk>/", views.enterprise_detail, name="enterprise-detail"),
    path("<int:pk>/edit/", views.enterprise_edit, name="enterprise-edit"),
    path("<int:pk>/figures/new/", views.figure_edit, name="figure-create"),
    path("<int:pk>/figures/<int:year>/", views.figure_edit, name="figure-edit"),
    path("<int:pk>/contacts/new/", views.contact_edit, name="contact-create"),
    path("<int:pk>/contacts/<int:contact_id>/", views.contact_edit, name="contact-edit"),
]
