"""Work that a request causes but its client need not wait for: run once the response has
been sent (issue 14, item 4).

AfterResponseMiddleware opens a scope for each request; code that would do slow follow-up
work (the in-process status recompute, proposals/tasks.py) hands it to `defer` instead,
and the jobs run from the response's close(), which the WSGI server calls after the last
byte went out (the test client calls it too, before returning the response). Outside a
request (management commands, the shell, a Celery worker) there is no scope: `defer`
answers False and the caller does the work at once, as before.

The hook is the response's resource closers: they run in close() before
`request_finished`, so before Django closes the request's database connection, and the
jobs reuse it. A job that fails is logged and does not stop the next one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable
from contextvars import ContextVar
from typing import TypeVar

from django.http import HttpRequest, HttpResponseBase

logger = logging.getLogger(__name__)

Job = Callable[[], object]
J = TypeVar("J", bound=Job)


class AfterResponse:
    """The jobs of one request, in the order first deferred, each key once."""

    def __init__(self) -> None:
        self.jobs: dict[Hashable, Job] = {}

    def run(self) -> None:
        """Run the jobs in order. The scope stays open meanwhile, so a job's own follow-up
        work (each recompute asks for its negotiation's summaries) joins the queue once per
        key and runs after the jobs before it: N recomputes, then one summary refresh."""
        token = _scope.set(self)
        try:
            while self.jobs:
                key = next(iter(self.jobs))
                job = self.jobs.pop(key)
                try:
                    job()
                except Exception:
                    logger.exception("After-response job %r failed.", key)
        finally:
            _scope.reset(token)


_scope: ContextVar[AfterResponse | None] = ContextVar("after_response", default=None)


def defer(key: Hashable, job: Job) -> bool:
    """Run `job` after the current response is sent (once per key and request). False
    outside a request: the caller must run the work itself."""
    scope = _scope.get()
    if scope is None:
        return False
    scope.jobs.setdefault(key, job)
    return True


def pending(key: Hashable, new: Callable[[], J]) -> J | None:
    """The job deferred under `key` in this request, made with `new()` if there is none
    yet, so that a caller can add to it (a batch of ids); None outside a request."""
    scope = _scope.get()
    if scope is None:
        return None
    job = scope.jobs.get(key)
    if job is None:
        job = scope.jobs[key] = new()
    return job  # type: ignore[return-value]  # made by `new` under this key


def in_request() -> bool:
    return _scope.get() is not None


class AfterResponseMiddleware:
    """Opens the scope for the whole request, so that transactions an inner middleware
    commits (the Idempotency-Key one) defer their work too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        scope = AfterResponse()
        token = _scope.set(scope)
        try:
            response = self.get_response(request)
        except BaseException:
            _scope.reset(token)
            scope.run()  # no response will be closed: do not lose the work
            raise
        _scope.reset(token)
        if scope.jobs:
            # Django's hook for "after the response is sent" (also used for file
            # responses); close() runs it before request_finished closes the connection.
            response._resource_closers.append(scope.run)  # type: ignore[attr-defined]  # set in HttpResponseBase.__init__, not in the stubs
        return response
