from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from negotiations.demo import load_demo
from proposals.models import Proposal

DEMO_ADMIN = ("admin", "admin")


class Command(BaseCommand):
    help = (
        "Load the demo round (Istanbul, 2 June 2025). Safe to run again: adds only what is missing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--admin",
            action="store_true",
            help="Also create a local superuser admin/admin if no user 'admin' exists "
            "(refused with PARLEY_PRODUCTION=1).",
        )

    def handle(self, *args, **options):
        negotiation = load_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo loaded: {negotiation}"))
        for proposal in Proposal.objects.filter(negotiation=negotiation).order_by("id"):
            stale = " (recomputing)" if proposal.status_stale else ""
            self.stdout.write(f"  {proposal.get_status_display():<18} {proposal.title}{stale}")
        if options["admin"]:
            self._ensure_admin()

    def _ensure_admin(self) -> None:
        if settings.PRODUCTION:
            raise CommandError("Refusing to create a demo admin with PARLEY_PRODUCTION=1.")
        username, password = DEMO_ADMIN
        users = get_user_model()._default_manager
        if not users.filter(username=username).exists():
            users.create_superuser(username=username, email="", password=password)
            self.stdout.write(f"Created the local superuser {username!r} (password {password!r}).")
        self.stdout.write(f"Admin: http://127.0.0.1:8000/{settings.ADMIN_URL} (user {username!r})")
