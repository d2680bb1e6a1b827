from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from simulator.people import demo


class Command(BaseCommand):
    help = (
        f"Create the demo people (instructor, ana, ben; password {demo.PASSWORD!r}) that the sign-in page lists "
        "in demo mode. Safe to run again: people who already exist are left as they are."
    )

    def handle(self, *args, **options) -> None:
        # Accounts whose password is printed on the sign-in page must not appear on a real server by accident.
        if not settings.DEMO_MODE:
            raise CommandError("seed_demo runs only in demo mode: set DJANGO_DEMO=1 (DJANGO_DEBUG=1 implies it).")
        created = demo.seed()
        present = [person.username for person in demo.PEOPLE if person.username not in created]
        if created:
            self.stdout.write(f"Created {', '.join(created)} with password {demo.PASSWORD}.")
        if present:
            self.stdout.write(f"Already present, left unchanged: {', '.join(present)}.")
