"""The partner simulators as the demo needs them: knowing the demo's people (the information centre's records, the
bank's customers and the demo cards' accounts). `python -m demo.simulators` is docker-compose's `partners`;
`make run` and the tests start them through `start_all`."""

from partners import simulators

from .people import demo_bank_accounts, demo_bank_customers, demo_registry_records


def seed() -> dict:
    return {
        "registry": demo_registry_records(),
        "bank_customers": demo_bank_customers(),
        "bank_accounts": demo_bank_accounts(),
    }


def start_all(**options) -> dict:
    return simulators.start_all(**options, seed=seed())


if __name__ == "__main__":
    simulators.main(seed=seed())
