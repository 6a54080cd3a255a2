"""The partner simulators for tests: real HTTP services on loopback, started once, reset for each test."""

import pytest

from demo.simulators import start_all


@pytest.fixture(scope="session")
def simulator_set():
    from django.conf import settings

    simulators = start_all(
        ports={"registry": 0, "bank": 0, "vendor": 0, "sms": 0},
        webhook_secret=settings.VENDOR_WEBHOOK_SECRET,
        vendor_stage_seconds=0.2,
    )
    yield simulators
    for simulator in simulators.values():
        simulator.stop()


@pytest.fixture
def partners(simulator_set, settings):
    """Fresh simulators, and the portal's clients pointed at them."""
    for simulator in simulator_set.values():
        with simulator.lock:
            simulator.counters.clear()
            simulator.reset()
        simulator.configure(latency_ms=0, failure_rate=0.0, down=False)
    simulator_set["vendor"].configure(stage_seconds=0.2)
    simulator_set["bank"].callback_secret = settings.BANK_CALLBACK_SECRET
    settings.PARTNER_URLS = {name: simulator.url for name, simulator in simulator_set.items()}
    return simulator_set


def register(partners, person, name: str | None = None, household_city: str = "杭州市") -> None:
    """Put a person in the information centre's records (optionally under another name)."""
    with partners["registry"].lock:
        partners["registry"].records[person.id_number] = {
            "id_number": person.id_number,
            "name": name or person.name,
            "household_city": household_city,
        }


def last_sms_code(partners, phone: str) -> str:
    """The verification code in the latest SMS the gateway simulator got for `phone`."""
    import re

    with partners["sms"].lock:
        texts = [m["text"] for m in partners["sms"].messages if m["to"] == phone]
    assert texts, f"no SMS was sent to {phone}"
    return re.search(r"\d{6}", texts[-1]).group(0)
