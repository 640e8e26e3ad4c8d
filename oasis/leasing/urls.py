from django.urls import path

from . import views

app_name = "leasing"

urlpatterns = [
    path("", views.lease_list, name="lease-list"),
    path("new/", views.lease_create, name="lease-create"),
    path("my/", views.my_leases, name="my-leases"),
    path("<int:pk>/", views.lease_detail, name="lease-detail"),
    path("<int:pk>/activate/", views.lease_activate, name="lease-activate"),
    path("<int:pk>/payments/new/", views.payment_create, name="payment-create"),
    path("<int:pk>/renew/", views.lease_renew, name="lease-renew"),
    path("<int:pk>/terminate/", views.lease_terminate, name="lease-terminate"),
    path("<int:pk>/amend/", views.lease_amend, name="lease-amend"),
    path("<int:pk>/deposit/refund/", views.deposit_refund, name="deposit-refund"),
    path("<int:pk>/credit/refund/", views.credit_refund, name="credit-refund"),
    path("<int:pk>/settlement/", views.settlement, name="settlement"),
    path("bills/", views.bill_list, name="bill-list"),
    path("receivables/", views.receivables, name="receivables"),
    path("occupancy/", views.occupancy, name="occupancy"),
    path("buildings/<int:pk>/stack/", views.stacking_plan, name="stack"),
    path("units/<int:pk>/", views.unit_panel, name="unit"),
    path("import/", views.import_start, name="import"),
    path("import/template.xlsx", views.import_template, name="import-template"),
    path("import/<int:pk>/", views.import_job, name="import-job"),
    path("import/<int:pk>/confirm/", views.import_confirm, name="import-confirm"),
]
