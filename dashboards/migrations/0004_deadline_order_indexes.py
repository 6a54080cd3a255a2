"""Partial indexes that give two deadline lists their order, so that the first page of a long list is read
straight off an index instead of joining and sorting every row (24,000 open 督办 cases, 60,000 cards
waiting at stations in the 3-million-person bench city)."""

from django.db import migrations

INDEXES = [
    ("dash_escalation_open_order", "applications_escalation (created_at, id) WHERE resolved_at IS NULL"),
    (
        "dash_app_waiting_pickup",
        "applications_cardapplication (status_changed_at, id) WHERE status IN ('ready_for_pickup', 'unclaimed')",
    ),
]


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0003_partner_step_indexes")]

    operations = [
        migrations.RunSQL(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}", f"DROP INDEX IF EXISTS {name}")
        for name, definition in INDEXES
    ]
