"""One station's deadline lists off indexes too: its unclaimed cards in order (see 0004 for the city's), and
each application's station beside its id, so that counting one station's open 督办 cases (a join of the
few tens of thousands of cases with their applications) reads a narrow index instead of the table."""

from django.db import migrations

INDEXES = [
    (
        "dash_app_station_waiting_pickup",
        "applications_cardapplication (station_id, status_changed_at, id) "
        "WHERE status IN ('ready_for_pickup', 'unclaimed')",
    ),
    ("dash_app_station_of", "applications_cardapplication (id, station_id)"),
]


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0004_deadline_order_indexes")]

    operations = [
        migrations.RunSQL(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}", f"DROP INDEX IF EXISTS {name}")
        for name, definition in INDEXES
    ]
