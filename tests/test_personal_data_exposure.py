"""SECURITY.md 6 and 7: no full ID number or phone in responses outside the authorised detail views, in
URLs, in task arguments or in any log line, over a whole flow with a failing partner call in it."""

import json
import logging
import re

import pytest
from django.test import Client

from applications import pipeline
from applications.models import Status, VendorCallback
from applications.services import approve_application
from issuance import services as issuance_services
from partners.errors import TransientError
from partners.signing import signed_headers

from . import factories
from .partners import last_sms_code, register

pytestmark = pytest.mark.django_db
ID_PATTERN = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
PHONE_PATTERN = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def test_a_whole_flow_leaks_no_id_number_or_phone(caplog, partners, settings, django_capture_on_commit_callbacks):
    caplog.set_level(logging.DEBUG)
    sent_tasks = []
    station = factories.make_station()
    clerk = factories.make_clerk(station)
    citizen_client, clerk_client, api = Client(), Client(), Client()
    phone, number = "13655556666", factories.next_id_number()
    urls = []

    def get(client, url, **extra):
        urls.append(url)
        return client.get(url, **extra)

    def post(client, url, data=None, **extra):
        urls.append(url)
        return client.post(url, data or {}, **extra)

    # sign up with an SMS code, apply with a photo, submit
    form = {"name": "戚继光", "id_number": number, "phone": phone}
    post(citizen_client, "/accounts/sign-up/", {**form, "action": "send_code"})
    post(
        citizen_client,
        "/accounts/sign-up/",
        {
            **form,
            "code": last_sms_code(partners, phone),
            "password": "Qi-Jiguang-1528",
            "password_again": "Qi-Jiguang-1528",
            "action": "sign_up",
        },
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    from demo.photos import make_id_photo

    post(
        citizen_client,
        "/apply/",
        {
            "insurance_type": "urban_employee",
            "station": station.pk,
            "household_city": "杭州市",
            "address": "杭州市上城区1号",
            "phone": phone,
            "action": "submit",
            "photo": SimpleUploadedFile("a.jpg", make_id_photo(), content_type="image/jpeg"),
        },
    )
    from applications.models import CardApplication, Person

    person = Person.objects.get(id_number=number)
    application = CardApplication.objects.get(person=person)
    register(partners, person)

    # the clerk approves; the partner steps run, the bank fails once
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        approve_application(application.pk, actor=clerk)
    sent_tasks += [repr(getattr(callback, "args", callback)) for callback in callbacks]
    pipeline.verify_with_registry(application.pk)
    partners["bank"].configure(down=True)
    with pytest.raises(TransientError):
        pipeline.open_bank_account(application.pk)
    partners["bank"].configure(down=False)
    pipeline.open_bank_account(application.pk)
    pipeline.order_card(application.pk)
    from applications.models import PartnerStep

    step = PartnerStep.objects.get(application=application, partner="vendor")
    body = json.dumps(
        {
            "event_id": "e1",
            "event": "shipped",
            "idempotency_key": str(step.idempotency_key),
            "card_number": "H77777777",
            "batch_number": "B1",
        }
    ).encode()
    meta = {
        f"HTTP_{k.upper().replace('-', '_')}": v
        for k, v in signed_headers(settings.VENDOR_WEBHOOK_SECRET, body).items()
    }
    post(api, "/partners/callbacks/vendor/", body, content_type="application/json", **meta)
    pipeline.receive_shipment(VendorCallback.objects.get().pk)

    # pickup and a loss report
    clerk_client.force_login(clerk)
    post(clerk_client, "/window/pickup/", {"id_number": number})
    card = issuance_services.hand_over_card(application.pk, actor=clerk, presented_id_number=number)
    issuance_services.activate_card(card.pk, actor=clerk)
    post(citizen_client, f"/cards/{card.pk}/report-lost/")
    application.refresh_from_db()
    assert application.status == Status.COLLECTED

    # every page and list a citizen or clerk sees, outside the authorised detail views
    pages = [
        get(citizen_client, "/me/"),
        get(citizen_client, f"/applications/{application.pk}/"),
        get(citizen_client, "/cards/"),
        get(citizen_client, "/notices/"),
        get(citizen_client, "/api/v1/applications/"),
        get(citizen_client, f"/api/v1/applications/{application.pk}/"),
        get(citizen_client, "/api/v1/cards/"),
        get(citizen_client, "/api/v1/auth/me/"),
        get(clerk_client, "/station/queue/"),
        get(clerk_client, "/station/applications/"),
        get(clerk_client, "/window/pickup/"),
        get(clerk_client, "/staff/sms/"),
        get(clerk_client, "/api/v1/applications/"),
        get(clerk_client, "/api/v1/cards/"),
        get(clerk_client, f"/window/cards/{card.pk}/"),
    ]
    own_contact = {f"/api/v1/applications/{application.pk}/"}  # the holder's own phone, which they may edit
    for response in pages:
        path = response.request["PATH_INFO"]
        assert response.status_code == 200
        text = response.content.decode()
        assert number not in text and not ID_PATTERN.search(text), path
        if path not in own_contact:
            assert phone not in text, path

    # ... while the authorised detail view shows it (and is audited)
    assert number in get(clerk_client, f"/station/applications/{application.pk}/").content.decode()

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "503" in logged  # the failing bank call was logged...
    for haystack in [logged, "\n".join(urls), "\n".join(sent_tasks)]:
        assert not ID_PATTERN.search(haystack)  # ... without anyone's ID number
        assert not PHONE_PATTERN.search(haystack)  # or phone


def test_the_scan_would_catch_a_leak():
    assert ID_PATTERN.search("x 330106199001011017 y") and PHONE_PATTERN.search("call 13655556666")
