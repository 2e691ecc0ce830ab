"""manage.py create_editor USERNAME [--email E] [--password P]: a user in the editor group.

Without --password the password is asked for twice (not echoed). Run again for an
existing user, it adds the role and, if given, sets the new password and email.
"""

from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from negotiations.core.roles import EDITOR


class Command(BaseCommand):
    help = "Create a user (or take an existing one) and give it the editor role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password", help="The password; without it you are asked for one (not echoed)."
        )

    def handle(self, *args: Any, username: str, email: str, password: str | None, **options: Any):
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if password is None and user is None:
            password = self._ask_password()
        candidate = user or User(username=username, email=email)
        if password is not None:
            try:
                password_validation.validate_password(password, candidate)
            except ValidationError as error:
                raise CommandError("Password refused: " + " ".join(error.messages)) from None
        try:
            group = Group.objects.get(name=EDITOR)
        except Group.DoesNotExist:
            raise CommandError("The editor role is missing; run manage.py migrate first.") from None
        with transaction.atomic():
            created = user is None
            if user is None:
                user = User.objects.create_user(username=username, email=email, password=password)
            else:
                if email:
                    user.email = email
                if password is not None:
                    user.set_password(password)
                user.save()
            user.groups.add(group)
        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} {username}, an editor."))

    def _ask_password(self) -> str:
        if not self.stdin_is_interactive():
            raise CommandError("Give --password, or run the command in a terminal to be asked.")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        if not first:
            raise CommandError("The password cannot be empty.")
        return first

    @staticmethod
    def stdin_is_interactive() -> bool:
        import sys

        return sys.stdin is not None and sys.stdin.isatty()
