from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.auth import is_organiser
from accounts.services import api_token_create, organiser_create


class Command(BaseCommand):
    help = "Prints a new API token for an organiser, alone on the last line."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--create", action="store_true", help="Create the organiser if missing.")

    def handle(self, *args, username, create, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None and not create:
            raise CommandError(f"No user named {username!r}; add --create to create an organiser.")
        if not is_organiser(user):
            if not create:
                raise CommandError(f"{username!r} is not an organiser; add --create to make them one.")
            user = organiser_create(username=username)
        self.stdout.write(api_token_create(user=user))
