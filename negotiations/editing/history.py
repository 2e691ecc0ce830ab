"""Who changed what, when: the audit rows django-pghistory's triggers keep for every
tracked model, read back as a diff of consecutive versions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from negotiations.core.versioning import Versioned
from negotiations.editing.access import editor_required

SKIPPED = {"version", "created_at", "updated_at", "id"}
LABELS = {"insert": "created", "update": "changed", "delete": "deleted"}
TRACKED = [
    "parties.Party",
    "parties.Person",
    "negotiations.Negotiation",
    "negotiations.Participation",
    "negotiations.Round",
    "negotiations.Delegation",
    "proposals.Source",
    "proposals.Proposal",
    "proposals.ProposalLink",
    "proposals.Term",
    "proposals.Position",
    "proposals.ImplementationEvent",
]
RECENT = 50


@dataclass
class Change:
    name: str
    before: str
    after: str


@dataclass
class Entry:
    event: Any
    action: str
    user: Any
    reason: str
    url: str
    changes: list[Change] = field(default_factory=list)
    title: str = ""
    model_key: str = ""
    obj_id: Any = None


def tracked_model(key: str) -> type[Versioned]:
    if key not in TRACKED:
        raise Http404("No history is kept for that.")
    return apps.get_model(key)


def _tracked_fields(event_model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in event_model._meta.concrete_fields
        if not f.name.startswith("pgh_") and f.name not in SKIPPED
    ]


def _related_names(event_model: Any, events: list[Any]) -> dict[tuple[str, Any], str]:
    """Readable names of the rows the foreign keys point at: one query per key."""
    names: dict[tuple[str, Any], str] = {}
    for f in _tracked_fields(event_model):
        related = f.related_model  # a model class once the apps are loaded
        if not f.is_relation or not isinstance(related, type):
            continue
        ids = {getattr(e, f.attname) for e in events} - {None}
        for obj in related._default_manager.filter(pk__in=ids):
            names[(f.name, obj.pk)] = str(obj)
    return names


def _value(event: Any, f: models.Field, names: dict[tuple[str, Any], str]) -> str:
    raw = getattr(event, f.attname)
    if raw is None or raw == "" or raw == []:
        return "—"
    if f.is_relation:
        return names.get((f.name, raw), f"#{raw} (deleted)")
    if isinstance(raw, list):
        return ", ".join(str(v) for v in raw)
    if isinstance(raw, bool):
        return "yes" if raw else "no"
    return str(raw)


def _users(events: list[Any]) -> dict[Any, Any]:
    ids = {(e.pgh_context.metadata or {}).get("user") for e in events if e.pgh_context} - {None}
    return {u.pk: u for u in get_user_model().objects.filter(pk__in=ids)}


def entries_for(event_model: Any, events: list[Any], previous: dict[Any, Any]) -> list[Entry]:
    """Each event, diffed against the one before it of the same object."""
    names = _related_names(event_model, events + list(previous.values()))
    users = _users(events)
    fields = _tracked_fields(event_model)
    result = []
    for event in events:
        context = (event.pgh_context.metadata if event.pgh_context else None) or {}
        before = previous.get(event.pgh_id)
        changes = []
        if event.pgh_label != "delete":
            for f in fields:
                after_value = _value(event, f, names)
                before_value = _value(before, f, names) if before is not None else "—"
                if before is None and after_value == "—":
                    continue
                if after_value != before_value:
                    changes.append(Change(str(f.verbose_name), before_value, after_value))
        result.append(
            Entry(
                event=event,
                action=LABELS.get(event.pgh_label, event.pgh_label),
                user=users.get(context.get("user")),
                reason=context.get("reason", ""),
                url=context.get("url", ""),
                changes=changes,
            )
        )
    return result


def _previous_events(event_model: Any, events: list[Any]) -> dict[Any, Any]:
    """For each event, the event just before it of the same object."""
    by_object: dict[Any, list[Any]] = {}
    for event in event_model.objects.filter(pgh_obj_id__in={e.pgh_obj_id for e in events}).order_by(
        "pgh_id"
    ):
        by_object.setdefault(event.pgh_obj_id, []).append(event)
    previous = {}
    for chain in by_object.values():
        for before, after in zip(chain, chain[1:], strict=False):
            previous[after.pgh_id] = before
    return previous


@editor_required
def object_history(request: HttpRequest, model_key: str, pk: int) -> HttpResponse:
    model = tracked_model(model_key)
    event_model = model.pgh_event_model
    events = list(
        event_model.objects.filter(pgh_obj_id=pk).select_related("pgh_context").order_by("pgh_id")
    )
    if not events:
        raise Http404("No history recorded for that.")
    previous = {after.pgh_id: before for before, after in zip(events, events[1:], strict=False)}
    entries = entries_for(event_model, events, previous)
    entries.reverse()
    obj = model._default_manager.filter(pk=pk).first()
    return render(
        request,
        "edit/history.html",
        {
            "entries": entries,
            "obj": obj,
            "title": str(obj) if obj else f"{model._meta.verbose_name} #{pk} (deleted)",
            "verbose_name": model._meta.verbose_name,
            "page_url": public_url(model_key, obj),
        },
    )


def public_url(model_key: str, obj: Any) -> str:
    if obj is None:
        return ""
    try:
        if model_key == "proposals.Proposal":
            return reverse("proposal", args=[obj.pk])
        if model_key == "proposals.Term":
            return reverse("term", args=[obj.pk])
        if model_key == "negotiations.Round":
            return reverse("round", args=[obj.negotiation.slug, obj.number])
        if model_key == "negotiations.Negotiation":
            return reverse("negotiation", args=[obj.slug])
        if model_key == "parties.Party":
            return reverse("party", args=[obj.slug])
    except NoReverseMatch:
        return ""
    return ""


@editor_required
def recent_changes(request: HttpRequest) -> HttpResponse:
    """The latest edits across every tracked model, newest first."""
    newest: list[tuple[Any, str, Any]] = []
    for key in TRACKED:
        event_model = apps.get_model(key).pgh_event_model
        for event in event_model.objects.select_related("pgh_context").order_by("-pgh_id")[:RECENT]:
            newest.append((event.pgh_created_at, key, event))
    newest.sort(key=lambda item: (item[0], item[2].pgh_id), reverse=True)
    newest = newest[:RECENT]
    entries: list[Entry] = []
    for key in TRACKED:
        events = [e for _, k, e in newest if k == key]
        if not events:
            continue
        event_model = apps.get_model(key).pgh_event_model
        for entry in entries_for(event_model, events, _previous_events(event_model, events)):
            entry.model_key = key
            entry.obj_id = entry.event.pgh_obj_id
            entry.title = _title(apps.get_model(key), entry.event)
            entries.append(entry)
    entries.sort(key=lambda e: (e.event.pgh_created_at, e.event.pgh_id), reverse=True)
    return render(request, "edit/changes.html", {"entries": entries})


def _title(model: Any, event: Any) -> str:
    for name in ("title", "name"):
        if hasattr(event, name):
            return f"{model._meta.verbose_name} “{getattr(event, name)}”"
    if hasattr(event, "text"):
        return f"{model._meta.verbose_name} “{event.text[:60]}”"
    return f"{model._meta.verbose_name} #{event.pgh_obj_id}"
