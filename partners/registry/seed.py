"""The demo people, as the information centre knows them."""

from applications.demo_people import demo_registry_records

SEED_RECORDS = demo_registry_records()
