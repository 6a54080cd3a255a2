"""SECURITY.md 16: schemathesis fuzzes the OpenAPI schema on a live server, as each role.

For every operation and a bounded number of generated requests per role: no 5xx, every response
matches the schema, every status answered is one the schema documents for the operation (issue 19), and no
operation that declares authentication answers without it (`ignored_auth`).
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import ignored_auth, response_schema_conformance, status_code_conformance

from . import factories

pytestmark = [pytest.mark.django_db(transaction=True)]
EXAMPLES = 4  # per operation and role: a bounded run that stays within minutes
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, ignored_auth]


@pytest.fixture
def role_tokens(partners):
    station = factories.make_station()
    citizen = factories.make_citizen()
    factories.make_application(citizen, station, submit=True)
    factories.make_card(factories.make_citizen(), station, status="active")
    users = {
        "citizen": citizen,
        "clerk": factories.make_clerk(station),
        "employer_agent": factories.make_agent(factories.make_employer(station)),
        "admin": factories.make_admin(),
        "verifier": factories.make_verifier(),
    }
    return {role: factories.api_token(user) for role, user in users.items()}


def test_no_role_finds_a_server_error_or_a_response_outside_the_schema(live_server, role_tokens):
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/?format=json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30
    failures = []
    for operation in operations:
        for role, token in role_tokens.items():
            try:
                fuzz(operation, live_server.url, {"Authorization": f"Bearer {token}", "Accept-Language": "zh-hans"})
            except Exception as error:  # noqa: BLE001 - collect every failure, then report them all
                failures.append(f"{operation.label} as {role}: {str(error)[:600]}")
    assert failures == [], "\n\n".join(failures)


def fuzz(operation, base_url: str, headers: dict) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None
    )
    def run(case):
        case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS)

    run()
