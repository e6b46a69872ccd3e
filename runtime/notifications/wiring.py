"""What create_app installs: the header's unread count, and sending due SMS after each response."""

from __future__ import annotations

import logging
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from runtime.notifications import delivery, inbox
from runtime.web.http import Services

log = logging.getLogger("runtime.notifications")


def install_template_helpers(svc: Services) -> None:
    env = svc.templates
    env.globals["unread_count"] = lambda user: inbox.unread_count(svc, str(user["id"]))
    env.globals["newest_unread"] = lambda user: inbox.newest_unread(svc, str(user["id"]))


class DeliverAfterResponse:
    """After a request was answered, send the SMS that are due (the ones it queued among them):
    the person who acted never waits for the gateway, and a failure stays in the outbox."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
        if scope["type"] != "http":
            return
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
