"""What create_app installs: the header's unread count, and sending due SMS after each response."""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from runtime.notifications import delivery, inbox, outbox
from runtime.web.http import Services

log = logging.getLogger("runtime.notifications")


def install_template_helpers(svc: Services) -> None:
    env = svc.templates
    env.globals["unread_messages"] = lambda user: inbox.unread(svc, str(user["id"]))


class DeliverAfterResponse:
    """After a request was answered, send the SMS that are due (the ones it queued among them):
    the person who acted never waits for the gateway, and a failure stays in the outbox.
    The outbox is read after a request during which this process queued an SMS, and otherwise
    at most once every CHECK_SECONDS (a retry or a deferred SMS falls due on its own time, and
    any process sends it): a save on a deadline day does not pay a query for SMS it never sent."""

    CHECK_SECONDS = 1.0
    monotonic = staticmethod(time.monotonic)

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._next_check = 0.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        before = outbox.queued.value
        await self.app(scope, receive, send)
        if scope["type"] != "http":
            return
        now = self.monotonic()
        if outbox.queued.value == before and now < self._next_check:
            return
        self._next_check = now + self.CHECK_SECONDS
        svc: Any = getattr(scope.get("app"), "state", None)
        services = getattr(svc, "services", None)
        if services is None:
            return
        try:
            # one indexed read, answered in the event loop: a hop to a thread per request would
            # cost more than the query; only sending (which waits on the gateway) goes there
            if delivery.has_due(services):
                await run_in_threadpool(delivery.deliver_due, services)
        except Exception:  # the action was saved; delivery tries again after the next request
            log.exception("sending notifications failed")
