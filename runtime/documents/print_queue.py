"""Print isolation (issue 13, finding 3): a size budget checked before layout, and a cap on
the documents of one owner printing at once.

The audit saved ~4.5 MB of text in one declaration; its review form then laid out for 60 s in
800 MiB and failed, and four of them in flight held every print slot, so a reviewer's
0.9 s form took 51 s and then 503. Now a document whose HTML is over the budget
(`limits.print_max_kb`) is refused before any layout starts, and one owner (the applicant a
review form or certificate belongs to, the organisation of an overview) holds at most
`limits.print_per_owner` slots of a process — always fewer than all of them — so the other
owners' documents still find a free slot. A request over the cap is answered at once rather
than parked on a thread: waiting requests would hold the threads everyone else needs.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager


class DocumentTooLarge(Exception):
    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"document of {size} bytes over the print budget of {limit}")
        self.size = size
        self.limit = limit


class PrintBusy(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"{limit} document(s) of this owner printing already")
        self.limit = limit


def check_budget(html: str, limit_bytes: int | None) -> None:
    """Before layout: the cost of a layout grows with the HTML it is given."""
    if limit_bytes is None:
        return
    size = len(html.encode("utf-8"))
    if size > limit_bytes:
        raise DocumentTooLarge(size, limit_bytes)


def owner_cap(per_owner: int, slots: int) -> int:
    """At least one document per owner; never every slot when there are two or more."""
    return max(1, min(per_owner, slots - 1))


class OwnerGate:
    """How many documents each owner has printing in this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._busy: Counter[str] = Counter()

    def busy(self, owner: str) -> int:
        with self._lock:
            return self._busy[owner]

    @contextmanager
    def hold(self, owner: str | None, cap: int) -> Iterator[None]:
        if owner is None:
            yield
            return
        with self._lock:
            if self._busy[owner] >= cap:
                raise PrintBusy(cap)
            self._busy[owner] += 1
        try:
            yield
        finally:
            with self._lock:
                self._busy[owner] -= 1
                if self._busy[owner] <= 0:
                    del self._busy[owner]
