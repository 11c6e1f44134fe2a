"""manage.py anonymise_old_registrations: the retention task, run now."""

from django.conf import settings
from django.core.management.base import BaseCommand

from registrations.personal_data.services import personal_data_retention


class Command(BaseCommand):
    help = (
        "Anonymises the personal data of meetings that ended more than PERSONAL_DATA_RETENTION_DAYS "
        "days ago (as the hourly task does) and prints what it changed. Safe to run at any time."
    )

    def handle(self, *args, **options):
        outcome = personal_data_retention()
        days = settings.PERSONAL_DATA_RETENTION_DAYS
        self.stdout.write(f"Retention period: {days} days.")
        self.stdout.write(f"Registrations anonymised: {outcome.registrations}")
        self.stdout.write(f"Messages anonymised: {outcome.messages}")
        self.stdout.write(f"Theme interests deleted: {outcome.theme_interests}")
        self.stdout.write(f"Calendar feeds deleted: {outcome.calendar_feeds}")
