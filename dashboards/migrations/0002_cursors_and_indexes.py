"""The summariser's two cursors, and the indexes the dashboards' live lists need on other apps' tables.

Plain CREATE INDEX (not CONCURRENTLY: a migration runs in a transaction; on a live 3-million-row table
each takes a few seconds), each named dash_* so it is clear whose it is. They are added here with RunSQL
rather than in the other apps' models so that those apps stay untouched:

- dash_app_status_created, dash_app_station_status_created: the list behind each status and ageing
  figure (status, and creation time for the age bucket), for the city and for one station;
- dash_app_review_wait: reviews past 7 working days, city-wide (small: only submitted applications);
- dash_loss_oral_pending: oral loss reports still waiting for the written confirmation (small);
- dash_notice_undelivered: notices waiting to be sent or failing, for /metrics (small).
"""

from django.db import migrations

INDEXES = [
    ("dash_app_status_created", "applications_cardapplication (status, created_at)"),
    ("dash_app_station_status_created", "applications_cardapplication (station_id, status, created_at)"),
    ("dash_app_review_wait", "applications_cardapplication (submitted_at) WHERE status = 'submitted'"),
    (
        "dash_loss_oral_pending",
        "issuance_lossreport (written_deadline) WHERE kind = 'oral' AND confirmed_at IS NULL "
        "AND lapsed_at IS NULL AND withdrawn_at IS NULL",
    ),
    ("dash_notice_undelivered", "notices_notice (delivery) WHERE delivery IN ('pending', 'failed')"),
]


def create_cursors(apps, schema_editor):
    Cursor = apps.get_model("dashboards", "Cursor")
    for name in ("status_events", "card_events"):
        Cursor.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0001_initial"),
        ("applications", "0004_cardapplication_photo_on_file_at_registry"),
        ("issuance", "0002_cardchange_swipelimitchange_appointment_cardevent_and_more"),
        ("notices", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_cursors, migrations.RunPython.noop),
        *[
            migrations.RunSQL(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}", f"DROP INDEX IF EXISTS {name}")
            for name, definition in INDEXES
        ],
    ]
