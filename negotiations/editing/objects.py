"""Editing one object with optimistic locking.

The form carries the version the editor loaded. If somebody saved the object since,
nothing is written: the page shows, field by field, what the other save changed and
what the editor typed (kept in the form), and the editor chooses: save their values
over the new version, or discard them and start from the current one.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from negotiations.core.versioning import VersionConflict
from negotiations.editing.access import editor_required
from negotiations.editing.object_forms import EDITABLE, Editable, VersionedForm
from negotiations.editing.once import saved_once, token
from negotiations.editing.writes import attach_errors


@dataclass
class ConflictRow:
    label: str
    theirs: str
    mine: str
    changed_by_them: bool
    differs: bool


def show(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, models.QuerySet | list | tuple | set):
        return ", ".join(sorted(str(v) for v in value)) or "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def field_value(obj: Any, name: str) -> Any:
    field = obj._meta.get_field(name)
    if field.many_to_many:
        return list(getattr(obj, name).all())
    return getattr(obj, name)


def version_event(obj: Any, version: int) -> Any:
    """The audit row of `obj` as it was at `version` (what the editor loaded)."""
    events = getattr(type(obj), "pgh_event_model", None)
    if events is None:
        return None
    return events.objects.filter(pgh_obj_id=obj.pk, version=version).order_by("-pgh_id").first()


def last_change(obj: Any) -> tuple[Any, Any]:
    """When the object was last saved, and by whom (from the audit history)."""
    event = (
        type(obj)
        .pgh_event_model.objects.filter(pgh_obj_id=obj.pk)
        .select_related("pgh_context")
        .order_by("-pgh_id")
        .first()
    )
    if event is None:
        return None, None
    user_id = (event.pgh_context.metadata if event.pgh_context else {}).get("user")
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    return event.pgh_created_at, user


def conflict_rows(form: VersionedForm, current: Any, loaded_version: int) -> list[ConflictRow]:
    loaded = version_event(current, loaded_version)
    rows = []
    for name, bound in form.fields.items():
        if name == "expected_version":
            continue
        theirs = field_value(current, name)
        mine = form.cleaned_data.get(name) if hasattr(form, "cleaned_data") else None
        field = current._meta.get_field(name)
        if loaded is not None and not field.many_to_many:
            changed = show(getattr(loaded, name)) != show(theirs)
        else:
            changed = show(mine) != show(theirs)
        rows.append(
            ConflictRow(
                label=str(bound.label or name),
                theirs=show(theirs),
                mine=show(mine),
                changed_by_them=changed,
                differs=show(mine) != show(theirs),
            )
        )
    return rows


def landing(kind: str, obj: Any) -> str:
    if kind in ("proposal", "term", "event", "ratification"):
        proposal_id = {
            "proposal": lambda: obj.pk,
            "term": lambda: obj.proposal_id,
            "event": lambda: obj.term.proposal_id,
            "ratification": lambda: obj.proposal_id,
        }[kind]()
        return reverse("edit:proposal", args=[proposal_id])
    if kind == "agenda":
        return reverse("edit:agenda", args=[obj.negotiation_id])
    if kind == "round":
        return reverse("edit:workspace", args=[obj.pk])
    if kind == "delegation":
        return reverse("edit:workspace", args=[obj.round_id])
    return reverse("edit:home")


def _load(spec: Editable, pk: int) -> Any:
    obj = spec.model._default_manager.filter(pk=pk).first()
    if obj is None:
        raise Http404(f"No {spec.model._meta.verbose_name} {pk}.")
    return obj


def _form(spec: Editable, obj: Any, data: Any = None) -> VersionedForm:
    form = spec.form_class()(data, instance=obj)
    spec.limit(form, obj)
    return form


@editor_required
@saved_once
def edit_object(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    spec = EDITABLE.get(kind)
    if spec is None:
        raise Http404("Nothing of that kind is edited here.")
    obj = _load(spec, pk)
    conflict = None
    if request.method == "POST":
        # The form validates against a copy: the object itself stays as saved.
        form = _form(spec, _load(spec, pk), request.POST)
        if form.is_valid():
            expected = form.cleaned_data["expected_version"]
            try:
                saved = spec.update(
                    **{spec.arg: _load(spec, pk)}, expected_version=expected, **form.changes()
                )
            except ValidationError as error:
                attach_errors(form, error)
            except VersionConflict as error:
                current = spec.model._default_manager.filter(pk=pk).first()
                if current is None:
                    messages.error(request, str(error))
                    return redirect("edit:home")
                conflict = _conflict(request, spec, form, current, expected)
                form = conflict.pop("form")
            else:
                messages.success(request, f"Saved {spec.model._meta.verbose_name} “{saved}”.")
                return redirect(landing(kind, saved))
    else:
        form = _form(spec, obj)
    changed_at, changed_by = last_change(obj)
    return render(
        request,
        "edit/object_form.html",
        {
            "kind": kind,
            "obj": obj,
            "form": form,
            "conflict": conflict,
            "verbose_name": spec.model._meta.verbose_name,
            "changed_at": changed_at,
            "changed_by": changed_by,
            "back": landing(kind, obj),
            "once": token(request, posted=conflict is None),
        },
    )


def _conflict(
    request: HttpRequest, spec: Editable, form: VersionedForm, current: Any, expected: int
) -> dict[str, Any]:
    """The editor's input, re-bound to the current version so that saving again
    overwrites it on purpose, and what changed in between."""
    rows = conflict_rows(form, current, expected)
    data = request.POST.copy()
    data["expected_version"] = str(current.version)
    rebound = _form(spec, current, data)
    rebound.is_valid()
    changed_at, changed_by = last_change(current)
    return {
        "form": rebound,
        "rows": rows,
        "yours": expected,
        "theirs": current.version,
        "changed_at": changed_at,
        "changed_by": changed_by,
    }
