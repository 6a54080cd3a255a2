"""A client generated from the served schema works (issue 19): openapi-python-client, the tool an integrator would
use, builds a typed Python client from /api/schema/ into a temporary directory (never committed); every module of
it imports; and the main flows run through it alone against a live server — no hand-written HTTP:

- a citizen gets a token, applies (sent twice with one Idempotency-Key: one application), uploads the photo and
  submits; a clerk finds it in the queue and approves it;
- an employer agent sends a roster as JSON rows, reads the report, uploads the missing photo for a row, checks
  again, submits and reads the batch's applications;
- an admin reads the dashboard; a token is listed and revoked, after which the client gets a 401 in the Error shape.
"""

import importlib
import io
import pkgutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from demo.photos import make_id_photo
from rosters.tests.conftest import known_to_registry

from . import factories

pytestmark = [pytest.mark.django_db(transaction=True)]
PACKAGE = "sbcard_client"
GENERATOR = Path(sys.executable).with_name("openapi-python-client")


@pytest.fixture(scope="module")
def generated_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("generated")


@pytest.fixture
def client_package(live_server, generated_dir):
    """The client generated from the live server's schema (once for this module), importable as `sbcard_client`.
    Function-scoped: the live server accepts its host name only while a test runs."""
    if not (generated_dir / PACKAGE).exists():
        generate(f"{live_server.url}/api/schema/?format=json", generated_dir)
    sys.path.insert(0, str(generated_dir))
    yield importlib.import_module(PACKAGE)
    sys.path.remove(str(generated_dir))
    for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
        del sys.modules[name]


def generate(schema_url: str, where: Path) -> None:
    config = where / "config.yaml"
    config.write_text(f"package_name_override: {PACKAGE}\nproject_name_override: sbcard-client\npost_hooks: []\n")
    command = [str(GENERATOR), "generate", "--url", schema_url, "--meta", "none", "--config", str(config)]
    command += ["--output-path", str(where / PACKAGE), "--fail-on-warning"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)  # noqa: S603 - our own tool
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_generated_module_imports(client_package):
    modules = [
        importlib.import_module(info.name) for info in pkgutil.walk_packages(client_package.__path__, f"{PACKAGE}.")
    ]

    operations = [module for module in modules if ".api." in module.__name__ and hasattr(module, "sync_detailed")]
    assert len(operations) >= 50
    assert all(hasattr(module, "asyncio_detailed") for module in operations)


def test_the_main_flows_run_through_the_generated_client_alone(client_package, live_server, partners):
    from sbcard_client import AuthenticatedClient, Client
    from sbcard_client.api.applications import (
        applications_approve_create,
        applications_create,
        applications_photo_create,
        applications_submit_create,
        station_queue_list,
    )
    from sbcard_client.api.auth import (
        auth_me_retrieve,
        auth_token_create,
        auth_token_destroy,
        auth_tokens_list,
    )
    from sbcard_client.api.dashboard import dashboard_overview_retrieve
    from sbcard_client.api.rosters import (
        roster_batches_applications_retrieve,
        roster_batches_check_create,
        roster_batches_create_from_rows,
        roster_batches_rows_photo_create,
        roster_batches_rows_retrieve,
        roster_batches_submit_create,
    )
    from sbcard_client.api.window import stations_list
    from sbcard_client.models import (
        ApplicationCreateRequest,
        ApplicationStatusEnum,
        Error,
        InsuranceTypeEnum,
        PhotoUploadRequest,
        RosterBatchStateEnum,
        RosterRowInputRequest,
        RosterRowsRequest,
        RowPhotoRequest,
        TokenCreateRequest,
    )
    from sbcard_client.types import File

    # given the people of the flows (set up in the database, as the portal's admin would)
    station = factories.make_station()
    citizen = factories.make_citizen("周晓")
    clerk = factories.make_clerk(station)
    agent = factories.make_agent(factories.make_employer(station))
    admin = factories.make_admin()
    anonymous = Client(base_url=live_server.url, raise_on_unexpected_status=True)

    def signed_in(user) -> AuthenticatedClient:
        issued = auth_token_create.sync(
            client=anonymous,
            body=TokenCreateRequest(username=user.username, password=factories.PASSWORD, name="generated client"),
        )
        return AuthenticatedClient(base_url=live_server.url, token=issued.token, raise_on_unexpected_status=True)

    def photo() -> File:
        return File(payload=io.BytesIO(make_id_photo()), file_name="photo.jpg", mime_type="image/jpeg")

    # a citizen applies (twice with one key: one application), uploads the photo, submits
    alice = signed_in(citizen)
    station_id = next(s.id for s in stations_list.sync(client=anonymous).results if s.code == station.code)
    request = ApplicationCreateRequest(
        insurance_type=InsuranceTypeEnum.URBAN_EMPLOYEE,
        station=station_id,
        household_city="杭州市",
        address="杭州市上城区望江路100号3幢2单元501室",
        phone="13900001111",
    )
    key = str(uuid.uuid4())
    draft = applications_create.sync(client=alice, body=request, idempotency_key=key)
    again = applications_create.sync(client=alice, body=request, idempotency_key=key)
    assert draft.status == ApplicationStatusEnum.DRAFT and again.id == draft.id
    assert applications_photo_create.sync(draft.id, client=alice, body=PhotoUploadRequest(photo=photo())).has_photo
    submitted = applications_submit_create.sync(draft.id, client=alice)
    assert submitted.status == ApplicationStatusEnum.SUBMITTED
    assert [entry.status for entry in submitted.timeline] == [
        ApplicationStatusEnum.DRAFT,
        ApplicationStatusEnum.SUBMITTED,
    ]

    # the clerk finds it in the queue and approves it; approving twice is a 409 in the Error shape
    bob = signed_in(clerk)
    assert draft.id in [entry.id for entry in station_queue_list.sync(client=bob).results]
    assert applications_approve_create.sync(draft.id, client=bob).status == ApplicationStatusEnum.VERIFYING
    refused = applications_approve_create.sync_detailed(draft.id, client=bob)
    assert refused.status_code == 409 and isinstance(refused.parsed, Error) and refused.parsed.code

    # an employer agent sends two people as JSON rows; the second has no photo at the information centre
    carol = signed_in(agent)
    rows = factories.roster_rows(2, region="330127")
    known_to_registry(partners, rows[:1])
    known_to_registry(partners, rows[1:], has_id_photo=False)
    batch = roster_batches_create_from_rows.sync(
        client=carol,
        body=RosterRowsRequest(
            rows=[
                RosterRowInputRequest(
                    name=row["name"],
                    id_number=row["id_number"],
                    phone=row["phone"],
                    insurance_type=InsuranceTypeEnum.URBAN_EMPLOYEE,
                    household_city=row["household_city"],
                    address=row["address"],
                )
                for row in rows
            ]
        ),
        idempotency_key=str(uuid.uuid4()),
    )
    assert batch.state == RosterBatchStateEnum.CHECKED and (batch.accepted_rows, batch.refused_rows) == (1, 1)
    report = roster_batches_rows_retrieve.sync(batch.id, client=carol, accepted=False).results
    assert [(row.line, row.refusals[0].column) for row in report] == [(2, "照片")]
    roster_batches_rows_photo_create.sync(batch.id, 2, client=carol, body=RowPhotoRequest(photo=photo()))
    checked = roster_batches_check_create.sync(batch.id, client=carol)
    assert (checked.accepted_rows, checked.refused_rows) == (2, 0)
    assert roster_batches_submit_create.sync(batch.id, client=carol).state == RosterBatchStateEnum.SUBMITTED
    applications = roster_batches_applications_retrieve.sync(batch.id, client=carol).results
    assert [(a.line, a.status) for a in applications] == [(1, ApplicationStatusEnum.SUBMITTED)] + [
        (2, ApplicationStatusEnum.SUBMITTED)
    ]

    # the admin reads the dashboard
    overview = dashboard_overview_retrieve.sync(client=signed_in(admin))
    assert overview.age_buckets and {total.status for total in overview.totals} >= {"submitted", "verifying"}

    # the citizen lists her tokens and revokes the one in use: the client then gets a 401 in the Error shape
    assert [token.current for token in auth_tokens_list.sync(client=alice).results] == [True]
    assert auth_token_destroy.sync_detailed(client=alice).status_code == 204
    after = auth_me_retrieve.sync_detailed(client=alice)
    assert after.status_code == 401 and isinstance(after.parsed, Error)


def test_an_ecard_is_shown_and_checked_through_the_generated_client_alone(client_package, live_server):
    from sbcard_client import AuthenticatedClient, Client
    from sbcard_client.api.auth import auth_token_create
    from sbcard_client.api.ecards import (
        ecard_checks_create,
        ecards_checks_retrieve,
        ecards_code_retrieve,
        ecards_list,
        well_known_sbcard_ecard_key_retrieve,
    )
    from sbcard_client.models import CheckInputRequest, ECardCheckOutcomeEnum, ECardStateEnum, TokenCreateRequest

    # given a card holder and a pharmacist (the admin made the pharmacy and its staff)
    holder = factories.make_citizen("何美玲")
    card = factories.make_card(holder, factories.make_station(), status="active")
    pharmacist = factories.make_verifier(factories.make_institution("仁心大药房"))
    anonymous = Client(base_url=live_server.url, raise_on_unexpected_status=True)

    def signed_in(user) -> AuthenticatedClient:
        issued = auth_token_create.sync(
            client=anonymous,
            body=TokenCreateRequest(username=user.username, password=factories.PASSWORD, name="generated client"),
        )
        return AuthenticatedClient(base_url=live_server.url, token=issued.token, raise_on_unexpected_status=True)

    # the holder's app lists her e-card (masked) and fetches a code for its QR code
    her = signed_in(holder)
    (ecard,) = ecards_list.sync(client=her).results
    assert ecard.id == card.pk and ecard.holder_name == "何*玲" and ecard.state == ECardStateEnum.ACTIVE
    code = ecards_code_retrieve.sync(card.pk, client=her)
    assert code.qr_svg.startswith("<svg") and code.expires_at > code.issued_at

    # the pharmacy's system reads the city's keys (no sign-in) and checks the code
    keys = well_known_sbcard_ecard_key_retrieve.sync(client=anonymous).keys
    checked = ecard_checks_create.sync(client=signed_in(pharmacist), body=CheckInputRequest(code=code.token))
    assert keys[0].crv == "Ed25519" and keys[0].kid
    assert checked.valid and checked.outcome == ECardCheckOutcomeEnum.VALID and checked.holder_name == "何*玲"
    assert checked.photo_jpeg

    # and the holder sees the check
    (seen,) = ecards_checks_retrieve.sync(card.pk, client=her).results
    assert seen.institution == "仁心大药房" and seen.outcome == ECardCheckOutcomeEnum.VALID
