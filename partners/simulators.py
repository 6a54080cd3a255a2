"""Start the four partner simulators: `python -m partners.simulators`, knowing nobody (`python -m demo.simulators`
starts them knowing the demo's people: docker-compose's `partners`).

Ports and behaviour come from the environment:
    REGISTRY_PORT=8101 BANK_PORT=8102 VENDOR_PORT=8103 SMS_PORT=8104 PARTNERS_HOST=127.0.0.1
    VENDOR_STAGE_SECONDS=5   VENDOR_WEBHOOK_SECRET=...
    PARTNER_LATENCY_MS=0   PARTNER_FAILURE_RATE=0
"""

import logging
import os
import signal
import threading

from partners.bank.simulator import BankSimulator
from partners.registry.simulator import RegistrySimulator
from partners.sms.simulator import SmsSimulator
from partners.vendor.simulator import VendorSimulator

DEFAULT_PORTS = {"registry": 8101, "bank": 8102, "vendor": 8103, "sms": 8104}


def build(
    *,
    host: str = "127.0.0.1",
    ports: dict[str, int] | None = None,
    vendor_stage_seconds: float = 5.0,
    webhook_secret: str = "",
    bank_secret: str = "",
    latency_ms: int = 0,
    failure_rate: float = 0.0,
    seed: dict | None = None,
) -> dict:
    """`seed`: what the partners know when they start (and after every reset): {"registry": records,
    "bank_customers": customers, "bank_accounts": accounts}; the demo's people, say (demo/simulators.py)."""
    ports = {**DEFAULT_PORTS, **(ports or {})}
    seed = seed or {}
    common = {"host": host, "latency_ms": latency_ms, "failure_rate": failure_rate}
    return {
        "registry": RegistrySimulator(port=ports["registry"], records=seed.get("registry", ()), **common),
        "bank": BankSimulator(
            port=ports["bank"],
            callback_secret=bank_secret,
            customers=seed.get("bank_customers", ()),
            accounts=seed.get("bank_accounts", ()),
            **common,
        ),
        "vendor": VendorSimulator(
            port=ports["vendor"], stage_seconds=vendor_stage_seconds, webhook_secret=webhook_secret, **common
        ),
        "sms": SmsSimulator(port=ports["sms"], **common),
    }


def start_all(**options) -> dict:
    simulators = build(**options)
    for simulator in simulators.values():
        simulator.start()
    return simulators


def from_environment() -> dict:
    env = os.environ.get
    return {
        "host": env("PARTNERS_HOST", "127.0.0.1"),
        "ports": {name: int(env(f"{name.upper()}_PORT", port)) for name, port in DEFAULT_PORTS.items()},
        "vendor_stage_seconds": float(env("VENDOR_STAGE_SECONDS", "5")),
        "webhook_secret": env("VENDOR_WEBHOOK_SECRET", ""),
        "bank_secret": env("BANK_CALLBACK_SECRET", ""),
        "latency_ms": int(env("PARTNER_LATENCY_MS", "0")),
        "failure_rate": float(env("PARTNER_FAILURE_RATE", "0")),
    }


def main(seed: dict | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    simulators = start_all(**from_environment(), seed=seed)
    for name, simulator in simulators.items():
        logging.info("%s simulator on %s", name, simulator.url)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    for simulator in simulators.values():
        simulator.stop()


if __name__ == "__main__":
    main()
