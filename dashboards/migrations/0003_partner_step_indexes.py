"""Small partial indexes on partner steps for /metrics (steps in progress by partner, those failing, those
given up), so that a scrape every few seconds never reads the millions of finished steps."""

from django.db import migrations

INDEXES = [
    ("dash_step_open", "partners_partnerstep (partner, attempts) WHERE outcome = 'open'"),
    ("dash_step_failing", "partners_partnerstep (partner) WHERE outcome = 'open' AND last_error <> ''"),
    (
        "dash_step_unavailable",
        "partners_partnerstep (partner) WHERE outcome = 'open' AND unavailable_since IS NOT NULL",
    ),
]


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0002_cursors_and_indexes"),
        ("partners", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}", f"DROP INDEX IF EXISTS {name}")
        for name, definition in INDEXES
    ]
