"""What every editable model shares: a version for optimistic locking and timestamps.

Writes go through services (see */services.py); the two helpers here are the only way
those services save a row, so validation and the version check hold for every door
(admin, editor pages, API, commands).
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from django.db import models
from django.db.models import F
from django.utils import timezone


class Versioned(models.Model):
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False, db_index=True)
    # Every versioned model is tracked: @pghistory.track sets the model of its audit rows,
    # generated at run time (the tracked fields plus pgh_*), so its fields are unknown here.
    pgh_event_model: ClassVar[type[Any]]

    class Meta:
        abstract = True


M = TypeVar("M", bound=Versioned)


class VersionConflict(Exception):
    """Somebody saved the object after the caller read it: nothing was written."""

    def __init__(self, instance: models.Model, expected: int, current: int | None):
        self.instance = instance
        self.expected = expected
        self.current = current
        name = instance._meta.verbose_name
        if current is None:
            super().__init__(f"This {name} was deleted by someone else.")
        else:
            super().__init__(
                f"This {name} was changed by someone else (version {current}, "
                f"you edited version {expected}). Reload it and apply your change again."
            )


def create_validated(instance: M) -> M:
    instance.full_clean()
    instance.save(force_insert=True)
    return instance


def update_validated(instance: M, *, changes: dict[str, Any], expected_version: int | None) -> M:
    """Apply `changes` to `instance` if it is still at `expected_version`.

    The version test is part of the UPDATE itself, not a read followed by a write, so
    two editors saving at once cannot both win.
    """
    expected = instance.version if expected_version is None else expected_version
    model = type(instance)
    concrete = {f.name for f in model._meta.concrete_fields}
    for name, value in changes.items():
        if name not in concrete:
            raise TypeError(f"{model.__name__} has no editable field {name!r}")
        setattr(instance, name, value)
    instance.full_clean()
    now = timezone.now()
    values = {name: getattr(instance, name) for name in changes}
    updated = model._default_manager.filter(pk=instance.pk, version=expected).update(
        **values, version=F("version") + 1, updated_at=now
    )
    if updated != 1:
        current = (
            model._default_manager.filter(pk=instance.pk).values_list("version", flat=True).first()
        )
        raise VersionConflict(instance, expected, current)
    instance.version = expected + 1
    instance.updated_at = now
    return instance
