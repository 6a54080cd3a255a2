from django.apps import AppConfig


class SbcardConfig(AppConfig):
    """The plumbing, installed for its management commands (rotate_keys, prepare_uploads); it has no tables."""

    name = "sbcard"
    verbose_name = "sbcard"
