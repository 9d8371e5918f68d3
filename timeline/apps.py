from django.apps import AppConfig


class TimelineConfig(AppConfig):
    name = "timeline"
    verbose_name = "Timelines"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from timeline import signals  # noqa: F401 - connects the receivers
        from timeline.sqlite import install_unicode_like

        connection_created.connect(install_unicode_like, dispatch_uid="timeline_unicode_like")
        from timeline.search import ensure_sqlite_fts

        # A migration that remakes the events table on SQLite drops the search triggers.
        post_migrate.connect(ensure_sqlite_fts, sender=self, dispatch_uid="timeline_sqlite_fts")
