"""One submission, one transaction: the service calls of a whole form (and its rows) either
all land or none does, and every refusal shows next to the field it concerns.

Each call runs in a savepoint, so a refused row does not stop the others from being
checked: the editor sees every problem of the submission at once. If any call was
refused, the transaction is rolled back at the end; nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction

from negotiations.core.versioning import VersionConflict

T = TypeVar("T")
RACE = "Someone saved a conflicting entry at the same moment; nothing was written. Save again."


class _Refused(Exception):
    pass


def attach_errors(
    form: forms.BaseForm,
    error: ValidationError,
    prefix: str = "",
    rename: dict[str, str] | None = None,
) -> None:
    """Put a service's ValidationError on the form: each message next to its field when
    the form has one (service fields may carry a prefix in the form), else on top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        candidates = ((rename or {}).get(field, ""), prefix + field, field)
        name = next((n for n in candidates if n in form.fields), None)
        if name is None and field != NON_FIELD_ERRORS:
            label = field.replace("_", " ")
            form.add_error(None, [f"{label}: {m}" for e in errors for m in e.messages])
        else:
            form.add_error(name, errors)


class Batch:
    """Collects the service calls of one submission; see the module's docstring."""

    def __init__(self) -> None:
        self.refused = False
        self.conflicts: list[VersionConflict] = []

    def call(
        self,
        form: forms.BaseForm,
        service: Callable[..., T],
        prefix: str = "",
        rename: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> T | None:
        try:
            with transaction.atomic():
                return service(**kwargs)
        except ValidationError as error:
            attach_errors(form, error, prefix, rename)
        except VersionConflict as conflict:
            self.conflicts.append(conflict)
            form.add_error(None, str(conflict))
        except IntegrityError:
            # A row saved by someone else at the same moment broke a constraint that the
            # validation had just found intact.
            form.add_error(None, RACE)
        self.refused = True
        return None


def run_batch(writes: Callable[[Batch], T]) -> tuple[T | None, Batch]:
    """Run `writes` in one transaction; roll it all back if any service refused."""
    batch = Batch()
    try:
        with transaction.atomic():
            result = writes(batch)
            if batch.refused:
                raise _Refused
    except _Refused:
        return None, batch
    return result, batch
