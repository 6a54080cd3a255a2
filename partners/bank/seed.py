"""Customers the bank already has; where the name differs from the portal, account opening fails."""

from demo.people import demo_bank_customers

SEED_CUSTOMERS = demo_bank_customers()
