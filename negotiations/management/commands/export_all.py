from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from negotiations.ops.backup import export_all

WITH_USERS = (
    "The export holds the users with their password hashes: keep it as secret as the "
    "database. API tokens are not exported: clients mint new ones after a restore."
)
WITHOUT_USERS = (
    "Users are exported stripped: id, username and name only (the audit history names its "
    "editors by id), inactive, without password, email, groups or permissions; they cannot "
    "log in until an admin reactivates them and sets a password. API tokens are not "
    "exported either."
)


class Command(BaseCommand):
    help = (
        "Write every table users own (and the audit history) as JSON Lines. The export "
        "includes the users with their password hashes (treat the file as a secret) unless "
        "--without-users (then users keep only id, username and name, inactive and without "
        "password, so the audit history still names its editors); API tokens are never "
        "exported (a token is a bearer secret: clients mint new ones after a restore)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="where to write, e.g. parley.jsonl")
        parser.add_argument(
            "--without-users",
            action="store_true",
            help=(
                "export users stripped: id, username and name only, inactive, without "
                "password, email, groups or permissions"
            ),
        )

    def handle(self, *args, **options):
        users = not options["without_users"]
        self.stderr.write(WITH_USERS if users else WITHOUT_USERS, style_func=self.style.WARNING)
        rows = export_all(options["path"], users=users)
        self.stdout.write(self.style.SUCCESS(f"Exported {rows} rows to {options['path']}."))
