from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.auth import is_organiser, is_workspace_user
from accounts.services import api_token_create, helper_create, organiser_create


class Command(BaseCommand):
    help = "Prints a new API token for an organiser (or, with --helper, a helper), alone on the last line."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--create", action="store_true", help="Create the user (or give them the role) if needed.")
        parser.add_argument(
            "--helper", action="store_true", help="A helper (Värd): may see lists and mark attendance only."
        )

    def handle(self, *args, username, create, helper, **options):
        user = get_user_model().objects.filter(username=username).first()
        has_role = is_workspace_user if helper else is_organiser
        role = "a helper" if helper else "an organiser"
        if user is None and not create:
            raise CommandError(f"No user named {username!r}; add --create to create {role}.")
        if not has_role(user):
            if not create:
                raise CommandError(f"{username!r} is not {role}; add --create to make them one.")
            user = (helper_create if helper else organiser_create)(username=username)
        self.stdout.write(api_token_create(user=user))
