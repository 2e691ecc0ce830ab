"""Strict query strings: every API endpoint refuses a query parameter it does not read, and
one sent empty, with a 400 naming it and listing the parameters it takes. A client that
misspells a filter (`?negotation=3`) would otherwise get every item and take it for the
answer to its question.

What an endpoint takes is what its view says, in one of two ways:
- `extra_parameters`, a class attribute any view (a viewset, a plain APIView, an `@action`
  through its keyword arguments) sets to the names it reads itself, e.g. `("dry_run",)`;
- `query_parameters()`, a method the resources define (negotiations/api/viewsets.py): a
  list's filters (with the `_after`/`_before` of ranges), its pagination (`cursor`,
  `limit`), `as_of` where the action reads it, `reason` on a delete.
`format` is taken everywhere (content negotiation reads it for every view). A view whose
parameter is a switch that may be sent empty lists it in `empty_parameters` too.

The check runs in DRF's content negotiation, the step every APIView runs first in
`initial()` (before authentication): so a view added later, even a plain APIView that
knows nothing of this module, is strict without opting in (settings: REST_FRAMEWORK
DEFAULT_CONTENT_NEGOTIATION_CLASS)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any, ClassVar

from rest_framework import exceptions

# Imports nothing that imports DRF's views: DRF imports this module (its settings name
# StrictNegotiation) while it defines APIView.
from negotiations.api.renderers import FormatNegotiation

FORMAT = "format"
EMPTY_PARAMETER = "Empty: give a value, or leave the parameter out."


class StrictQuery:
    """The hook of a view: the query parameters it reads besides `format`. No docstring on
    the class that a viewset inherits first, so none here would show in the schema: this
    one is never first."""

    extra_parameters: ClassVar[tuple[str, ...]] = ()

    def query_parameters(self) -> Iterable[str]:
        return ()


def accepted_parameters(view: Any) -> list[str]:
    """What this request's endpoint takes, sorted: `format`, the view's `extra_parameters`
    and what its `query_parameters()` says (views without either take only `format`)."""
    reader = getattr(view, "query_parameters", None)
    names = set(reader()) if callable(reader) else set()
    return sorted({FORMAT, *names, *getattr(view, "extra_parameters", ())})


def unknown_message(name: str, accepted: list[str]) -> str:
    message = f"This endpoint has no parameter “{name[:40]}”; it takes: {', '.join(accepted)}."
    close = difflib.get_close_matches(name, accepted, n=1)
    return f"{message} Did you mean “{close[0]}”?" if close else message


def refuse_bad_parameters(request: Any, view: Any) -> None:
    """A 400 naming every parameter that is unknown here or sent empty."""
    accepted = accepted_parameters(view)
    may_be_empty = getattr(view, "empty_parameters", ())  # a switch such as the docs' ?script
    errors: dict[str, list[str]] = {}
    for name, values in request.query_params.lists():
        if name not in accepted:
            errors[name[:100]] = [unknown_message(name, accepted)]
        elif name not in may_be_empty and any(value == "" for value in values):
            errors[name] = [EMPTY_PARAMETER]
    if errors:
        raise exceptions.ValidationError(errors)


class StrictNegotiation(FormatNegotiation):
    """Content negotiation that first checks the query string (see the module's docstring
    for why here)."""

    def select_renderer(self, request: Any, renderers: Any, format_suffix: Any = None) -> Any:
        view = (getattr(request, "parser_context", None) or {}).get("view")
        if view is not None:
            refuse_bad_parameters(request, view)
        return super().select_renderer(request, renderers, format_suffix)
