"""The demo people, as the information centre knows them."""

from demo.people import demo_registry_records

SEED_RECORDS = demo_registry_records()
