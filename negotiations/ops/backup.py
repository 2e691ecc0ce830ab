"""A complete, portable export of everything users own, as JSON Lines, and its restore.

Built on Django's own dumpdata/loaddata (jsonl format, natural keys for users, groups
and permissions), so it survives a move to another server or PostgreSQL version.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

import pgtrigger
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

OUR_APPS = ("parties", "negotiations", "proposals")
# Not data but pending increments of the API's content versions (proposals/models/
# content.py): a restore's own inserts bump the versions again, so clients revalidate once.
DERIVED = ("proposals.ContentBump",)


def exported_models(*, users: bool = True) -> list[str]:
    """Groups, users (with their group memberships and password hashes) unless left out
    (then export_all writes them stripped, see _stripped_users), every model of our apps
    (audit history included), and the audit contexts.

    Never sessions, the admin log or API tokens. A token is a bearer secret: knox keeps
    only its digest, but a restored digest would keep every old token working on the new
    server, a leaked one included; clients mint new tokens after a restore instead.
    """
    labels = ["auth.Group", "auth.User"] if users else ["auth.Group"]
    for app in OUR_APPS:
        labels += [
            m._meta.label
            for m in apps.get_app_config(app).get_models()
            if m._meta.label not in DERIVED
        ]
    labels.append("pghistory.Context")
    return labels


def export_all(path: Path, *, users: bool = True) -> int:
    with path.open("w") as out:
        if not users:
            _stripped_users(out)
        call_command(
            "dumpdata",
            *exported_models(users=users),
            format="jsonl",
            stdout=out,
            natural_foreign=True,
            natural_primary=False,
            verbosity=0,
        )
    with path.open() as lines:
        return sum(1 for _ in lines)


def _stripped_users(out: TextIO) -> None:
    """Every user as id, username and name only: unusable password, inactive, no email,
    groups, permissions or staff flags. The audit history names its editors by user id;
    without these rows, the ids would restart after a restore and a new account would
    become the author of old edits. An admin reactivates (and resets) whom they keep."""
    user_model = get_user_model()
    stripped = [
        user_model(
            pk=user.pk,
            username=user.username,
            first_name=user.first_name,
            last_name=user.last_name,
            date_joined=user.date_joined,
            password="!",
            is_active=False,
        )
        for user in user_model.objects.order_by("pk")
    ]
    fields = ["username", "first_name", "last_name", "date_joined", "password", "is_active"]
    serializers.serialize("jsonl", stripped, fields=fields, stream=out)


def _has_data() -> list[str]:
    return [
        m._meta.label
        for app in OUR_APPS
        for m in apps.get_app_config(app).get_models()
        if m._meta.label not in DERIVED and m._default_manager.exists()
    ]


@transaction.atomic
def import_all(path: Path) -> int:
    if not path.exists():
        raise CommandError(f"{path} does not exist.")
    occupied = _has_data()
    if occupied:
        raise CommandError(
            "import_all restores into an empty database, and this one holds data already "
            f"({', '.join(occupied[:5])}...). Migrate a fresh database and import there."
        )
    # The restored rows carry their own audit history; the audit triggers must not add
    # a second, false "insert" event for each of them.
    with pgtrigger.ignore():
        call_command("loaddata", str(path), format="jsonl", verbosity=0)
    _reset_sequences()
    with path.open() as lines:
        return sum(1 for _ in lines)


def _reset_sequences() -> None:
    from django.core.management.color import no_style

    models = [m for label in exported_models() for m in [apps.get_model(label)]]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
