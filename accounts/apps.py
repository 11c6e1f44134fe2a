from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Organisers and API tokens")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .services import groups_ensure

        # Permissions exist only after migrate, so the organiser and helper groups are kept in step then.
        post_migrate.connect(lambda **kwargs: groups_ensure(), dispatch_uid="organiser_group", weak=False)
