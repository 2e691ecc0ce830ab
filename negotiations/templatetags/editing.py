"""The account and edit links of the site header: editors see where to edit the page in
front of them; analysts and anonymous visitors see no edit control at all."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from negotiations.core.admin_site import may_use_admin
from negotiations.core.roles import is_editor

register = template.Library()

# Analyst page (URL name) → the editor page for the same object.
EDIT_TARGETS = {
    "proposal": lambda kwargs: reverse("edit:proposal", args=[kwargs["pk"]]),
    "term": lambda kwargs: reverse("edit:object", args=["term", kwargs["pk"]]),
}


def _edit_here(request: Any) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    if match.url_name in EDIT_TARGETS:
        return EDIT_TARGETS[match.url_name](match.kwargs)
    if match.url_name == "round":
        from negotiations.models import Round

        round_id = (
            Round.objects.filter(
                negotiation__slug=match.kwargs["slug"], number=match.kwargs["number"]
            )
            .values_list("pk", flat=True)
            .first()
        )
        return reverse("edit:workspace", args=[round_id]) if round_id else ""
    return ""


@register.inclusion_tag("edit/_nav.html", takes_context=True)
def account_nav(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    editor = is_editor(user)
    return {
        "user": user,
        "admin": user is not None and user.is_authenticated and may_use_admin(user),
        "editor": editor,
        "edit_here": _edit_here(request) if editor else "",
        "csrf_token": context.get("csrf_token"),
        "next": request.get_full_path() if request else "",
    }


@register.filter
def history_key(obj: Any) -> str:
    meta = obj._meta
    return f"{meta.app_label}.{meta.object_name}"


@register.simple_tag(takes_context=True)
def drafts_to_forget(context: template.Context) -> str:
    """The browser drafts of forms saved by the previous request (space-separated keys);
    edit.js forgets them once the page shows."""
    request = context.get("request")
    if request is None or not hasattr(request, "session"):
        return ""
    return " ".join(request.session.pop("edit_draft_clear", []))
