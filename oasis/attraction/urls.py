from django.urls import path

from . import views

app_name = "attraction"

urlpatterns = [
    path("", views.lead_board, name="board"),
    path("leads/", views.lead_list, name="lead-list"),
    path("leads/new/", views.lead_create, name="lead-create"),
    path("leads/import/", views.lead_import, name="lead-import"),
    path("leads/import/template/", views.import_template, name="import-template"),
    path("leads/<int:pk>/", views.lead_detail, name="lead-detail"),
    path("leads/<int:pk>/edit/", views.lead_edit, name="lead-edit"),
    path("leads/<int:pk>/move/", views.lead_move, name="lead-move"),
    path("leads/<int:pk>/activities/", views.activity_add, name="activity-add"),
    path(
        "leads/<int:pk>/activities/<int:activity_id>/done/",
        views.activity_done,
        name="activity-done",
    ),
    path("leads/<int:pk>/claim/", views.lead_claim, name="lead-claim"),
    path("leads/<int:pk>/assign/", views.lead_assign, name="lead-assign"),
    path("leads/<int:pk>/sign/", views.lead_sign, name="lead-sign"),
    path("pool/", views.pool_list, name="pool"),
    path("partners/", views.partner_list, name="partner-list"),
    path("partners/new/", views.partner_edit, name="partner-create"),
    path("partners/<int:pk>/", views.partner_detail, name="partner-detail"),
    path("partners/<int:pk>/edit/", views.partner_edit, name="partner-edit"),
    path("funnel/", views.funnel, name="funnel"),
    path("settings/<int:park_id>/", views.settings_edit, name="settings"),
]
