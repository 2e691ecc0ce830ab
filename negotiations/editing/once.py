"""A form saved once, however often it is sent: a double click, a reload that posts again,
a second tab. Every editor form carries a one-time token (a hidden `once` field, new on
each fresh page); the first save of a token and content claims it, and a later post of
the same form with the same content is answered with the first save's redirect, writing
nothing again."""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

FIELD = "once"
# The browser drafts that the next page forgets (see the editing template tags).
DRAFTS_TO_FORGET = "edit_draft_clear"
PENDING = "pending"
KEPT_SECONDS = 24 * 60 * 60
WAIT_SECONDS = 15.0
AGAIN = "This form had been sent already and was saved then; nothing was saved twice."
STILL_SAVING = (
    "This form was sent twice; the first one is still being saved. "
    "Check below in a moment before saving again."
)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
# What says which form was sent, not what was in it.
_NOT_CONTENT = {"csrfmiddlewaretoken", FIELD}


def token(request: HttpRequest | None = None, posted: bool = True) -> str:
    """The form's token: the one it was posted with (a form re-rendered with its errors
    is the same form), or a new one."""
    if request is not None and posted and request.method == "POST":
        sent = request.POST.get(FIELD, "")
        if _TOKEN.fullmatch(sent):
            return sent
    return secrets.token_urlsafe(18)


def _key(request: HttpRequest, sent: str) -> str:
    content = hashlib.sha256()
    for name in sorted(k for k in request.POST if k not in _NOT_CONTENT):
        for value in request.POST.getlist(name):
            content.update(f"{name}\0{value}\0".encode())
    return f"parley:edit-once:{request.user.pk}:{sent}:{content.hexdigest()}"


def _claim(key: str) -> Any:
    """None once this request holds the claim; else the first save's redirect, or PENDING
    while it is still being saved (after waiting for it a while)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        # cache.add is atomic (Redis SET NX in production): two posts of one form that
        # arrive together cannot both claim it.
        if cache.add(key, PENDING, KEPT_SECONDS):
            return None
        outcome = cache.get(key)
        if outcome is not None and (outcome != PENDING or time.monotonic() > deadline):
            return outcome
        time.sleep(0.1)


def saved_once(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Guard a view whose successful save answers with a redirect."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        sent = request.POST.get(FIELD, "") if request.method == "POST" else ""
        if not _TOKEN.fullmatch(sent) or request.POST.get("action", "save") != "save":
            return view(request, *args, **kwargs)
        key = _key(request, sent)
        outcome = _claim(key)
        if outcome == PENDING:
            messages.warning(request, STILL_SAVING)
            return redirect(request.get_full_path())
        if outcome is not None:
            # The first answer may never have reached the browser: forget its drafts here.
            forget = request.session.get(DRAFTS_TO_FORGET, [])
            request.session[DRAFTS_TO_FORGET] = [*forget, *outcome["drafts"]]
            messages.info(request, AGAIN)
            return redirect(outcome["url"])
        response = None
        try:
            response = view(request, *args, **kwargs)
        finally:
            if response is not None and response.status_code in (301, 302, 303):
                drafts = request.session.get(DRAFTS_TO_FORGET, [])
                saved = {"url": response["Location"], "drafts": drafts}
                cache.set(key, saved, KEPT_SECONDS)
            else:
                cache.delete(key)
        return response

    return guarded
