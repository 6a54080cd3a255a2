"""Customers the bank already has (where the name differs from the portal, account opening fails), and the
demo card holders' accounts."""

from applications.demo_people import demo_bank_accounts, demo_bank_customers

SEED_CUSTOMERS = demo_bank_customers()
SEED_ACCOUNTS = demo_bank_accounts()
