"""What every part of the outcome writer shares: find the row a part names by its natural
identity, else create it through the part's service; note what happened per path; and
collect every error with its JSON path instead of stopping at the first.

Each service runs in its own savepoint (services are atomic), so a refused part leaves
the transaction usable and the rest of the document is still checked; the caller rolls
the whole transaction back if anything was refused.

A matched row is never changed: a field the document states differently from the stored
row is a conflict (409, naming the field, the stored and the sent value); change the row
with its own PATCH. Lists of references (sources, hosts, tabling parties) of a matched
row are not compared.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DataError, IntegrityError, models

from negotiations.core.versioning import VersionConflict
from proposals.api.outcome.fields import Ref
from proposals.api.outcome.refs import Resolver

M = TypeVar("M", bound=models.Model)
RACE = "Someone saved a conflicting row at the same moment; send the document again."
# Parts that may name a row another part of the same document made: a person is found by
# name (a delegation's member is also a position's speaker).
SHARED_TYPES = frozenset({"person"})


@dataclass
class Written:
    path: str
    type: str
    key: str | None
    id: int
    result: str  # created, existing


class Writer:
    """Collects the rows written or matched and the errors, for one document."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}
        self.conflicts: set[str] = set()
        self.written: list[Written] = []
        self.made_at: dict[tuple[type[models.Model], int], str] = {}  # row -> its path
        self.refs = Resolver(self.report)

    # ----- errors

    def report(self, path: str, message: str) -> None:
        self.errors.setdefault(path or "non_field_errors", []).append(message)

    def refused(self, path: str, error: ValidationError, rename: Mapping[str, str] = {}) -> None:
        """A service's ValidationError, each message at its field's path."""
        if not hasattr(error, "error_dict"):
            for message in error.messages:
                self.report(path, message)
            return
        for field, messages in error.message_dict.items():
            where = path if field == NON_FIELD_ERRORS else f"{path}.{rename.get(field, field)}"
            for message in messages:
                self.report(where, message)

    @property
    def only_conflicts(self) -> bool:
        return bool(self.errors) and set(self.errors) <= self.conflicts

    # ----- rows

    def note(self, path: str, type_: str, key: str | None, row: models.Model, result: str) -> None:
        self.written.append(Written(path, type_, key, row.pk, result))
        self.refs.bind(key, row)

    def put(
        self,
        path: str,
        type_: str,
        *,
        found: M | None,
        create: Callable[[], M],
        stated: Mapping[str, Any],
        key: str | None = None,
        rename: Mapping[str, str] = {},
    ) -> M | None:
        """The row the part names: the one `found` by its natural identity (its stated
        fields compared), else a new one made by `create` (a service); None if refused."""
        if found is not None:
            first = self.made_at.get((type(found), found.pk))
            if first is not None and type_ not in SHARED_TYPES:
                self.report(
                    path,
                    f"Repeats {first}: the same {found._meta.verbose_name} twice in one "
                    "document. Give it once; other parts refer to it by its key.",
                )
                return found
            self.compare(path, found, stated)
            self.note(path, type_, key, found, "existing")
            return found
        try:
            row = create()
        except ValidationError as error:
            self.refused(path, error, rename)
        except VersionConflict as conflict:
            self.report(path, str(conflict))
        except IntegrityError:
            self.report(path, RACE)
        except DataError as error:
            self.report(path, f"The database refused a value: {str(error).splitlines()[0]}")
        else:
            self.note(path, type_, key, row, "created")
            self.made_at[(type(row), row.pk)] = path
            return row
        if key:
            self.refs.refused.add(key)
        return None

    def compare(self, path: str, row: models.Model, stated: Mapping[str, Any]) -> None:
        for field, sent in stated.items():
            stored = getattr(row, field)
            if not same(stored, sent):
                where = f"{path}.{field}"
                self.conflicts.add(where)
                self.report(
                    where,
                    f"The stored {row._meta.verbose_name} {row.pk} has {shown(stored)}, the "
                    f"document {shown(sent)}. Posting the same document again changes "
                    "nothing; change the stored row with its PATCH, or send what is stored.",
                )


def same(stored: Any, sent: Any) -> bool:
    if isinstance(sent, models.Model) or isinstance(stored, models.Model):
        return getattr(stored, "pk", stored) == getattr(sent, "pk", sent)
    if isinstance(sent, bool) or isinstance(stored, bool):
        return sent is stored
    if isinstance(sent, str) and isinstance(stored, str):
        return sent.strip() == stored.strip()
    if isinstance(sent, Decimal | int | float) and isinstance(stored, Decimal | int | float):
        return Decimal(str(sent)) == Decimal(str(stored))
    if isinstance(sent, list) and isinstance(stored, list):
        return sorted(map(str, sent)) == sorted(map(str, stored))
    return bool(stored == sent)


def shown(value: Any) -> str:
    if isinstance(value, models.Model):
        return f"{value} (id {value.pk})"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if value is None or value == "":
        return "nothing"
    return repr(value)


def scalars(part: Mapping[str, Any], *skip: str) -> dict[str, Any]:
    """The part's own values (not its references, lists or local key)."""
    return {
        name: value
        for name, value in part.items()
        if name not in skip and name != "key" and not isinstance(value, list | dict | Ref)
    }
