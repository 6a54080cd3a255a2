"""The API's contract (issue 19): the served schema is valid OpenAPI, the same for every reader, in English, and
complete enough to build a client from: areas, summaries, enum meanings, examples, every error in one shape,
bearer tokens, JSON or multipart bodies, and the partners' callbacks with their signatures."""

import hashlib
import hmac
import json
import time

import pytest
from django.conf import settings
from django.test import Client
from django.urls import resolve
from django.utils import translation
from openapi_spec_validator import validate

from applications.models import Status
from partners.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER

from . import factories

pytestmark = pytest.mark.django_db
AREAS = ["auth", "applications", "cards", "ecards", "window", "rosters", "dashboard"]
METHODS = {"get", "post", "put", "patch", "delete"}


def fetch_schema(client=None, language="zh-hans") -> bytes:
    response = (client or Client()).get("/api/schema/?format=json", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content


@pytest.fixture
def schema() -> dict:
    return json.loads(fetch_schema())


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", operation


def resolve_ref(schema, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def test_the_served_schema_is_valid_openapi_3_1(schema):
    validate(schema)  # openapi-spec-validator: raises on any error

    assert schema["openapi"] == "3.1.0"
    assert schema["servers"][0]["url"] == settings.PORTAL_BASE_URL


def test_every_reader_gets_the_same_document_in_english():
    clerk = Client()
    clerk.force_login(factories.make_clerk(factories.make_station()))

    chinese, english, signed_in = fetch_schema(language="zh-hans"), fetch_schema(language="en"), fetch_schema(clerk)

    assert chinese == english == signed_in
    document = json.loads(chinese)
    with translation.override("en"):
        english_label = str(Status.SUBMITTED.label)
    with translation.override("zh-hans"):
        chinese_label = str(Status.SUBMITTED.label)
    described = document["components"]["schemas"]["ApplicationStatusEnum"]["description"]
    assert english_label in described and chinese_label not in described
    # paths in alphabetical order, each one before the paths under it (`/cards/{id}/` before `/cards/{id}/activate/`)
    assert list(document["paths"]) == sorted(document["paths"], key=lambda path: path.rstrip("/").replace("{", "!"))
    assert list(document["components"]["schemas"]) == sorted(document["components"]["schemas"])


def test_every_operation_has_one_area_a_summary_a_description_and_described_answers(schema):
    assert [tag["name"] for tag in schema["tags"]] == AREAS
    used = set()
    for name, operation in operations(schema):
        assert len(operation["tags"]) == 1 and operation["tags"][0] in AREAS, name
        used.add(operation["tags"][0])
        assert operation.get("summary") and operation.get("description"), name
        successes = {code: answer for code, answer in operation["responses"].items() if code.startswith("2")}
        assert successes, name
        assert all(answer.get("description") for answer in successes.values()), name
    assert used == set(AREAS)


def test_every_enum_says_what_each_value_means(schema):
    enums = {name: body for name, body in schema["components"]["schemas"].items() if "enum" in body}
    assert len(enums) > 15
    for name, body in enums.items():
        for value in body["enum"]:
            assert f"* `{value}` - " in body.get("description", ""), (name, value)
            label = body["description"].split(f"* `{value}` - ", 1)[1].split("\n", 1)[0]
            assert label and label != value, (name, value)


def test_every_error_answer_has_the_error_shape_and_the_statuses_each_operation_can_give(schema):
    error_fields = set(schema["components"]["schemas"]["Error"]["required"])
    assert error_fields == {"detail", "code"}
    for name, operation in operations(schema):
        answers = operation["responses"]
        for code, answer in answers.items():
            if code.startswith("4"):
                shape = resolve_ref(schema, answer["content"]["application/json"]["schema"])
                assert error_fields <= set(shape["properties"]), (name, code)
        if operation.get("security"):
            assert "401" in answers, name
        if "{" in name:
            assert "404" in answers, name
        if "requestBody" in operation:
            assert {"400", "415"} <= set(answers), name
        if "429" in answers:
            assert "Retry-After" in answers["429"]["headers"], name
        if any(parameter["name"] == "Idempotency-Key" for parameter in operation.get("parameters", [])):
            assert {"409", "422"} <= set(answers), name
    assert "429" in schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]


def test_tokens_are_an_http_bearer_scheme_and_page_sizes_have_their_limit(schema):
    assert schema["components"]["securitySchemes"]["bearerAuth"]["type"] == "http"
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    page_size = next(
        p for p in schema["paths"]["/api/v1/applications/"]["get"]["parameters"] if p["name"] == "page_size"
    )
    assert page_size["schema"]["maximum"] == 100 and page_size["schema"]["minimum"] == 1
    assert "security" not in schema["paths"]["/api/v1/auth/token/"]["post"]  # no token needed to get one


def test_bodies_without_a_file_are_json_and_uploads_multipart(schema):
    for name, operation in operations(schema):
        if "requestBody" not in operation:
            continue
        (media_type,) = operation["requestBody"]["content"]  # one content type per operation
        body = resolve_ref(schema, operation["requestBody"]["content"][media_type]["schema"])
        carries_a_file = any(field.get("format") == "binary" for field in body["properties"].values())
        assert media_type == ("multipart/form-data" if carries_a_file else "application/json"), name


def test_every_post_but_the_token_request_takes_an_idempotency_key(schema):
    for name, operation in operations(schema):
        if not name.startswith("POST"):
            continue
        takes_key = any(p["name"] == "Idempotency-Key" for p in operation.get("parameters", []))
        assert takes_key == (name != "POST /api/v1/auth/token/"), name


def test_the_main_requests_and_answers_have_examples(schema):
    def examples(operation, code=None):
        if code is None:
            content = operation["requestBody"]["content"]
        else:
            content = operation["responses"][code]["content"]
        return next(iter(content.values())).get("examples", {})

    paths = schema["paths"]
    assert examples(paths["/api/v1/applications/"]["post"]) and examples(paths["/api/v1/applications/"]["post"], "201")
    assert examples(paths["/api/v1/applications/{id}/"]["get"], "200")
    assert examples(paths["/api/v1/auth/token/"]["post"]) and examples(paths["/api/v1/auth/token/"]["post"], "201")
    assert examples(paths["/api/v1/roster-batches/rows/"]["post"])
    assert examples(paths["/api/v1/roster-batches/{id}/rows/"]["get"], "200")


def test_the_partners_callbacks_are_webhooks_with_their_signature_headers(schema):
    hooks = schema["webhooks"]
    assert set(hooks) == {"vendor_card_produced", "bank_card_activated", "bank_fee_paid"}
    views = {"vendor_card_produced": "vendor_callback", "bank_card_activated": "bank_activation_callback"}
    views["bank_fee_paid"] = "bank_payment_callback"
    for name, item in hooks.items():
        operation = item["post"]
        headers = {p["name"]: p for p in operation["parameters"]}
        assert set(headers) == {TIMESTAMP_HEADER, SIGNATURE_HEADER}
        assert all(header["required"] for header in headers.values())
        assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        assert {"200", "400", "403", "404"} <= set(operation["responses"]), name
        assert "Retries" in operation["description"] and "event_id" in operation["description"]
        path = operation["description"].split("{PORTAL_BASE_URL}", 1)[1].split("`", 1)[0]
        assert resolve(path).func.__name__ == views[name], name  # the path documented is the one served


def test_a_callback_signed_as_the_schema_says_is_accepted_and_a_wrong_one_refused(schema):
    # The signature made here from the schema's words only: HMAC-SHA256 of "<timestamp>.<body>", hex.
    description = schema["webhooks"]["bank_fee_paid"]["post"]["description"]
    path = description.split("{PORTAL_BASE_URL}", 1)[1].split("`", 1)[0]
    body = json.dumps({"event_id": "PAY-1", "reference": "JFNOSUCHREFERENCE", "amount_yuan": 20}).encode()
    timestamp = str(int(time.time()))
    signature = hmac.new(settings.BANK_CALLBACK_SECRET.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    headers = {"HTTP_" + TIMESTAMP_HEADER.upper().replace("-", "_"): timestamp}

    signed = Client().post(
        path,
        body,
        content_type="application/json",
        **headers,
        **{"HTTP_" + SIGNATURE_HEADER.upper().replace("-", "_"): signature.hexdigest()},
    )
    forged = Client().post(
        path,
        body,
        content_type="application/json",
        **headers,
        **{"HTTP_" + SIGNATURE_HEADER.upper().replace("-", "_"): "0" * 64},
    )

    assert signed.status_code == 404 and signed.json()["code"] == "unknown_reference"  # signature accepted
    assert forged.status_code == 403


def test_an_unknown_api_address_is_a_json_404_in_the_readers_language():
    chinese = Client().get("/api/v1/no-such-thing/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    english = Client().get("/api/v1/no-such-thing/", HTTP_ACCEPT_LANGUAGE="en")
    page = Client().get("/no-such-page/")

    assert chinese.status_code == english.status_code == 404
    assert chinese.json()["code"] == english.json()["code"] == "not_found"
    assert "API" in english.json()["detail"] and chinese.json()["detail"] != english.json()["detail"]
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")
