from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from negotiations.ops.backup import export_all

WITH_USERS = (
    "The export holds the users with their password hashes: keep it as secret as the "
    "database. API tokens are not exported: clients mint new ones after a restore."
)
WITHOUT_USERS = (
    "Users, their group memberships and their password hashes are left out (create "
    "accounts again after a restore). API tokens are not exported either."
)


class Command(BaseCommand):
    help = (
        "Write every table users own (and the audit history) as JSON Lines. The export "
        "includes the users with their password hashes (treat the file as a secret) unless "
        "--without-users; API tokens are never exported (a token is a bearer secret: "
        "clients mint new ones after a restore)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="where to write, e.g. parley.jsonl")
        parser.add_argument(
            "--without-users",
            action="store_true",
            help="leave out users, their group memberships and their password hashes",
        )

    def handle(self, *args, **options):
        users = not options["without_users"]
        self.stderr.write(WITH_USERS if users else WITHOUT_USERS, style_func=self.style.WARNING)
        rows = export_all(options["path"], users=users)
        self.stdout.write(self.style.SUCCESS(f"Exported {rows} rows to {options['path']}."))
