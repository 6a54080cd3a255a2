"""The synthetic city for the dashboards and their benchmark (manage.py seed_city)."""
