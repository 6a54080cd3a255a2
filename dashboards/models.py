"""Summaries behind the dashboards, kept by `summaries.fold` from the append-only logs.

Nothing else writes these tables. `station_id` is a plain integer, not a foreign key: 0 stands for the
whole city (a row summed over every station, kept alongside the station rows so that city figures read a
few hundred rows, not a few hundred thousand), and summaries never block a station from being deleted.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

CITY = 0  # station_id of the rows that sum the whole city


class Stage(models.TextChoices):
    """The stages an application waits in, and who holds it there."""

    REVIEW = "review", _("Review at the station")
    REGISTRY = "registry", _("Information centre check")
    BANK = "bank", _("Bank account")
    VENDOR = "vendor", _("Card production")
    PICKUP = "pickup", _("Waiting for pickup")


class Flow(models.TextChoices):
    """What is counted per day in DailyFlow."""

    RECEIVED = "received", _("Applications in")
    READY = "ready", _("Cards delivered to stations")
    COLLECTED = "collected", _("Cards out (collected)")
    RETURNED = "returned", _("Returned for correction")
    CANCELLED = "cancelled", _("Cancelled")
    UNCLAIMED = "unclaimed", _("Became unclaimed")
    REPLACEMENT = "replacement", _("Replacements applied for")
    EXCHANGE = "exchange", _("Exchanges applied for")


class Cursor(models.Model):
    """How far the summariser has read one log (StatusEvent or CardEvent ids).

    Ids are handed out when a row is inserted, not when its transaction commits, so a row with a lower
    id can become visible after a higher one was read. `gaps` keeps the ids below `high_water` that were
    not visible yet, each with when it was first missed; they are looked for again on every run and
    dropped after an hour (a rolled-back transaction leaves a gap that never fills).
    """

    name = models.CharField(max_length=40, primary_key=True)
    high_water = models.BigIntegerField(default=0)
    gaps = models.JSONField(default=list, blank=True)  # [[first_id, last_id, first_seen_epoch], ...]
    folded = models.BigIntegerField(default=0)
    ran_at = models.DateTimeField(null=True, blank=True)
    windows_day = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("summary cursor")
        verbose_name_plural = _("summary cursors")

    def __str__(self) -> str:
        return f"{self.name} @ {self.high_water}"


class FoldedApplication(models.Model):
    """The summariser's own memory of each application as of the last event it folded: the status and
    station it was counted under, when it entered that status, and when its card reached the station.

    With it, an event is folded without looking back through the log, and a count moves from exactly the
    key it was added to (even if the application's station changed in between)."""

    application_id = models.BigIntegerField(primary_key=True)
    station_id = models.IntegerField()
    last_status = models.CharField(max_length=20)
    created_day = models.DateField()
    since = models.DateTimeField()
    ready_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["last_status"], name="dash_folded_status")]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.last_status}"


class StatusCount(models.Model):
    """Applications now in a status, by station and by the day they were created (ageing)."""

    station_id = models.IntegerField()
    status = models.CharField(max_length=20)
    created_day = models.DateField()
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["station_id", "status", "created_day"], name="dash_status_count_key")
        ]

    def __str__(self) -> str:
        return f"{self.station_id} {self.status} {self.created_day}: {self.count}"


class StageDuration(models.Model):
    """A histogram of the time spent in a stage, by the day the stage ended: `count` durations fell in
    bucket `bucket` (see summaries.BUCKET_EDGES_HOURS); `seconds` is their sum."""

    day = models.DateField()
    stage = models.CharField(max_length=10, choices=Stage.choices)
    station_id = models.IntegerField()
    bucket = models.SmallIntegerField()
    count = models.IntegerField(default=0)
    seconds = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "stage", "station_id", "bucket"], name="dash_stage_duration_key")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.stage} {self.station_id} [{self.bucket}]: {self.count}"


class StageWindow(models.Model):
    """Median and 90th percentile of a stage over the last 30 or 90 days, read from StageDuration by the
    summariser when durations were added or the day changed (so a page reads a few hundred rows)."""

    station_id = models.IntegerField()
    stage = models.CharField(max_length=10, choices=Stage.choices)
    days = models.SmallIntegerField()
    count = models.IntegerField()
    median_seconds = models.BigIntegerField(null=True)
    p90_seconds = models.BigIntegerField(null=True)
    mean_seconds = models.BigIntegerField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["station_id", "stage", "days"], name="dash_stage_window_key")]

    def __str__(self) -> str:
        return f"{self.station_id} {self.stage} {self.days}d"


class DailyFlow(models.Model):
    """How many applications entered, cards came out, etc. (`metric`, see Flow) per day and station."""

    day = models.DateField()
    station_id = models.IntegerField()
    metric = models.CharField(max_length=12, choices=Flow.choices)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["station_id", "metric", "day"], name="dash_daily_flow_key")]

    def __str__(self) -> str:
        return f"{self.day} {self.station_id} {self.metric}: {self.count}"


class ActivationCohort(models.Model):
    """Cards collected in a month at a station, and how many of those have been activated since (rule 21)."""

    month = models.DateField()
    station_id = models.IntegerField()
    collected = models.IntegerField(default=0)
    activated = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["station_id", "month"], name="dash_activation_key")]

    def __str__(self) -> str:
        return f"{self.month} {self.station_id}: {self.activated}/{self.collected}"
