from django.urls import path

from . import views

urlpatterns = [
    path("", views.portal_home, name="portal-home"),
    path("campaigns/", views.campaign_list, name="portal-campaign-list"),
    path("campaigns/new/", views.campaign_create, name="portal-campaign-create"),
    path("campaigns/<int:campaign_id>/", views.campaign_detail, name="portal-campaign-detail"),
    path("campaigns/<int:campaign_id>/edit/", views.campaign_edit, name="portal-campaign-edit"),
    path("campaigns/<int:campaign_id>/report/", views.report_fill, name="portal-report-fill"),
    path("reports/review/", views.review_queue, name="portal-review-queue"),
    path("reports/<int:report_id>/", views.report_detail, name="portal-report-detail"),
    path("reports/<int:report_id>/accept/", views.report_accept, name="portal-report-accept"),
    path("reports/<int:report_id>/return/", views.report_return, name="portal-report-return"),
    path("notices/", views.notice_list, name="portal-notice-list"),
    path("notices/new/", views.notice_create, name="portal-notice-create"),
    path("notices/<int:notice_id>/", views.notice_detail, name="portal-notice-detail"),
    path("members/", views.member_list, name="portal-member-list"),
    path("members/<int:user_id>/remove/", views.member_remove, name="portal-member-remove"),
    path(
        "activate/<uidb64>/<token>/",
        views.MemberActivateView.as_view(),
        name="portal-member-activate",
    ),
]
