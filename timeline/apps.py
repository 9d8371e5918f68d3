from django.apps import AppConfig


class TimelineConfig(AppConfig):
    name = "timeline"
    verbose_name = "Timelines"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from timeline import signals  # noqa: F401 - connects the receivers
        from timeline.sqlite import install_unicode_like

        connection_created.connect(install_unicode_like, dispatch_uid="timeline_unicode_like")
