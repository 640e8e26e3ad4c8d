from django.urls import path

from . import views

urlpatterns = [
    path("", views.lead_board, name="attraction-board"),
    path("leads/", views.lead_list, name="attraction-lead-list"),
    path("leads/new/", views.lead_create, name="attraction-lead-create"),
    path("leads/import/", views.lead_import, name="attraction-lead-import"),
    path("leads/import/template/", views.import_template, name="attraction-import-template"),
    path("leads/<int:pk>/", views.lead_detail, name="attraction-lead-detail"),
    path("leads/<int:pk>/edit/", views.lead_edit, name="attraction-lead-edit"),
    path("leads/<int:pk>/move/", views.lead_move, name="attraction-lead-move"),
    path("leads/<int:pk>/activities/", views.activity_add, name="attraction-activity-add"),
    path(
        "leads/<int:pk>/activities/<int:activity_id>/done/",
        views.activity_done,
        name="attraction-activity-done",
    ),
    path("leads/<int:pk>/claim/", views.lead_claim, name="attraction-lead-claim"),
    path("leads/<int:pk>/assign/", views.lead_assign, name="attraction-lead-assign"),
    path("leads/<int:pk>/sign/", views.lead_sign, name="attraction-lead-sign"),
    path("pool/", views.pool_list, name="attraction-pool"),
    path("partners/", views.partner_list, name="attraction-partner-list"),
    path("partners/new/", views.partner_edit, name="attraction-partner-create"),
    path("partners/<int:pk>/", views.partner_detail, name="attraction-partner-detail"),
    path("partners/<int:pk>/edit/", views.partner_edit, name="attraction-partner-edit"),
    path("funnel/", views.funnel, name="attraction-funnel"),
    path("settings/<int:park_id>/", views.settings_edit, name="attraction-settings"),
]
