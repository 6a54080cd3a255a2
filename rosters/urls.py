from django.urls import path

from . import callbacks, views

app_name = "rosters"

urlpatterns = [
    path("employers/register/", views.register, name="register"),
    path("employer/", views.dashboard, name="dashboard"),
    path("employer/materials/", views.replace_document, name="replace_document"),
    path("employers/<int:employer_id>/materials/<str:kind>/", views.employer_document, name="employer_document"),
    path("employer/rosters/template.xlsx", views.template_download, name="template"),
    path("employer/rosters/upload/", views.upload, name="upload"),
    path("rosters/<int:batch_id>/", views.batch_detail, name="batch"),
    path("rosters/<int:batch_id>/progress/", views.batch_progress, name="progress"),
    path("rosters/<int:batch_id>/submit/", views.submit, name="submit"),
    path("rosters/<int:batch_id>/report.xlsx", views.report_download, name="report"),
    path("rosters/<int:batch_id>/export.xlsx", views.export_download, name="export"),
    path("rosters/<int:batch_id>/payment-notice.pdf", views.payment_notice, name="payment_notice"),
    path("rosters/<int:batch_id>/pickup-list.pdf", views.pickup_list, name="pickup_list"),
    path("rosters/<int:batch_id>/pay/", views.pay_at_bank, name="pay"),
    path("rosters/<int:batch_id>/approve/", views.approve, name="approve"),
    path("rosters/<int:batch_id>/confirm-payment/", views.confirm_payment, name="confirm_payment"),
    path("rosters/<int:batch_id>/hand-over/", views.hand_over, name="hand_over"),
    path("station/employers/", views.station_employers, name="station_employers"),
    path("station/rosters/", views.station_batches, name="station_batches"),
    path("callbacks/bank/payments/", callbacks.bank_payment_callback, name="bank_payment_callback"),
]
