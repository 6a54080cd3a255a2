"""Sending a job after the transaction that caused it commits: the one way domain code starts a job.

A job is named by its task's dotted name, so a lower module can ask for a job without importing the task
module (which imports the services that ask for it). Nothing is sent if the transaction rolls back.
"""

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Job:
    """A task's dotted name and its one argument (an id, or a list of ids: never personal data)."""

    task: str
    argument: Any


def send_after_commit(job: Job) -> None:
    transaction.on_commit(lambda: send_job(job))


def send_job(job: Job) -> None:
    import_string(job.task).delay(job.argument)
