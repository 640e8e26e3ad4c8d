from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.portal_home, name="home"),
    path("campaigns/", views.campaign_list, name="campaign-list"),
    path("campaigns/new/", views.campaign_create, name="campaign-create"),
    path("campaigns/<int:campaign_id>/", views.campaign_detail, name="campaign-detail"),
    path("campaigns/<int:campaign_id>/edit/", views.campaign_edit, name="campaign-edit"),
    path("campaigns/<int:campaign_id>/report/", views.report_fill, name="report-fill"),
    path("reports/review/", views.review_queue, name="review-queue"),
    path("reports/<int:report_id>/", views.report_detail, name="report-detail"),
    path("reports/<int:report_id>/accept/", views.report_accept, name="report-accept"),
    path("reports/<int:report_id>/return/", views.report_return, name="report-return"),
    path("notices/", views.notice_list, name="notice-list"),
    path("notices/new/", views.notice_create, name="notice-create"),
    path("notices/<int:notice_id>/", views.notice_detail, name="notice-detail"),
    path("members/", views.member_list, name="member-list"),
    path("members/<int:user_id>/remove/", views.member_remove, name="member-remove"),
    path("members/<int:user_id>/resend/", views.member_invite_resend, name="member-resend"),
    path(
        "activate/<uidb64>/<token>/",
        views.MemberActivateView.as_view(),
        name="member-activate",
    ),
]
