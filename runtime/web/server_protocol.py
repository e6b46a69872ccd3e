"""How the server takes connections and speaks HTTP: asyncio's loop and uvicorn's httptools
protocol, with what `serve --workers N` changes in them.

uvicorn binds the port itself and hands the one listening socket to N processes, which all wait
on it. asyncio's loop accepts up to the backlog (2,048) connections each time it wakes, so the
first process to wake took every connection a burst opened while the others sat idle. Taking one
per wake-up shared them out, but a busy process wakes every few tens of milliseconds, so the
last of 64 connections opened at once waited 300-500 ms for its first answer. Now the processes
keep, in a small shared file, how many connections each has accepted (`ConnectionShares`), and a
process that wakes takes as many waiting connections as bring it to its fair share, and none when
it has it: a burst is taken at once and still split evenly. (Alone, a process takes them all.)

A response leaves as one write: uvicorn writes the status line and headers, then the body, and
with Nagle off each write is a packet of its own and a system call (on loopback, where the
reverse proxy sits, the kernel does the receiver's work inside that call too: about a tenth of
a worker's time under load). `HeldHeaders` keeps the headers until the body's first write, the
response's end or the connection's close, whichever comes first.

That socket is made with `socket.socket(family)` (protocol number 0), and asyncio switches
Nagle's algorithm off only on sockets whose protocol number says TCP, so every accepted
connection kept it on: a response written as headers then body waited for the client's delayed
ACK, 40 ms on every request. The protocol switches it off itself.
"""

from __future__ import annotations

import asyncio
import fcntl
import math
import mmap
import os
import socket
import struct
import tempfile
from pathlib import Path
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle

# the environment variable naming the shared file of `serve --workers N`; absent with one process
SHARES_FILE = "ZHICHENG_CONNECTION_SHARES"
_SLOT = struct.Struct("q")  # one process's count of open connections
# a process at its fair share leaves waiting connections to the others, looking again this often;
# a connection no other process has taken this long is taken anyway (a process can be stuck)
RECHECK_SECONDS = 0.005
PATIENCE_SECONDS = 0.1


class ConnectionShares:
    """How many connections each server process has accepted: one 8-byte count per process in a
    file all of them map. A process claims a free slot by locking its bytes and writes only
    there; the lock goes with the process, so a slot whose bytes nobody locks belongs to no
    running process (not started yet, or gone: a restarted worker claims it again).

    Accepted, not open: a process learns that a client closed a connection only when its loop
    gets to it, so counts of open connections lag by a busy turn, and a burst that follows a
    wave of closes (a load tool's second run, a proxy's reconnect) went mostly to the process
    that happened to look emptier."""

    def __init__(self, path: Path) -> None:
        self.file = open(path, "r+b")  # noqa: SIM115 (held for the life of the process: it holds the lock)
        self.map = mmap.mmap(self.file.fileno(), 0)
        self.slots = len(self.map) // _SLOT.size
        self.mine = -1

    def claim(self) -> None:
        """Take a slot, once this process accepts connections: a process still loading its app
        is not counted, or the others would leave it connections it cannot take yet."""
        if self.mine >= 0:
            return
        for slot in range(self.slots):
            if self._lock(slot, fcntl.LOCK_EX):
                self.mine = slot
                # a restarted process starts level with the others, not behind by their history
                others = self.counts()
                others.pop(self.mine)
                self._write(max(others, default=0))
                return

    @staticmethod
    def create(workers: int) -> Path:
        """The file for `workers` processes, made by the process that starts them."""
        folder = "/dev/shm" if os.path.isdir("/dev/shm") else None
        handle, name = tempfile.mkstemp(prefix="zhicheng-connections-", dir=folder)
        os.write(handle, bytes(_SLOT.size * workers))
        os.close(handle)
        return Path(name)

    def _lock(self, slot: int, kind: int) -> bool:
        try:
            fcntl.lockf(self.file, kind | fcntl.LOCK_NB, _SLOT.size, slot * _SLOT.size)
        except OSError:
            return False
        return True

    def _running(self, slot: int) -> bool:
        if slot == self.mine:
            return True
        if self._lock(slot, fcntl.LOCK_SH):  # nobody holds it
            fcntl.lockf(self.file, fcntl.LOCK_UN, _SLOT.size, slot * _SLOT.size)
            return False
        return True

    def _read(self, slot: int) -> int:
        return int(_SLOT.unpack_from(self.map, slot * _SLOT.size)[0])

    def _write(self, value: int) -> None:
        _SLOT.pack_into(self.map, self.mine * _SLOT.size, value)

    def counts(self) -> list[int]:
        """Each running process's count (this one's included), in slot order."""
        return [self._read(n) for n in range(self.slots) if self._running(n)]

    def accepted(self) -> None:
        if self.mine >= 0:
            self._write(self._read(self.mine) + 1)

    def to_take(self, waiting: int) -> int:
        """How many of the waiting connections this process takes now: as many as bring it to
        its fair share of all the running processes' connections (0 when it has its share)."""
        if self.mine < 0:
            return max(1, waiting)  # no slot of its own: it cannot know, so it does not hold back
        counts = self.counts()
        return max(0, math.ceil((sum(counts) + waiting) / len(counts)) - self._read(self.mine))


def waiting_connections(sock: socket.socket) -> int:
    """Connections the kernel has completed and holds for accept() on this listening socket
    (Linux reports the accept queue's length in tcp_info's `unacked` field for a listener)."""
    try:
        info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 32)
    except (OSError, AttributeError):
        return 1
    return int(struct.unpack_from("I", info, 24)[0])


class EventLoop(asyncio.SelectorEventLoop):
    def __init__(self) -> None:
        super().__init__()
        path = os.environ.get(SHARES_FILE)
        self.shares = ConnectionShares(Path(path)) if path else None
        self.holding_back_since: float | None = None

    def _start_serving(self, *args: Any, **kwargs: Any) -> None:
        if self.shares is not None:
            self.shares.claim()
        super()._start_serving(*args, **kwargs)  # type: ignore[misc]

    def _accept_connection(
        self,
        protocol_factory: Any,
        sock: Any,
        sslcontext: Any = None,
        server: Any = None,
        backlog: int = 100,
        *rest: Any,
    ) -> None:
        take = backlog
        if self.shares is not None:  # one of several processes: its share, not every waiting one
            take = self.shares.to_take(waiting_connections(sock))
            now = self.time()
            if take > 0:
                self.holding_back_since = None
            elif self.holding_back_since is None or now - self.holding_back_since < PATIENCE_SECONDS:
                if self.holding_back_since is None:
                    self.holding_back_since = now
                # the socket stays readable: stop watching it for a moment rather than wake at once
                self._remove_reader(sock.fileno())  # type: ignore[attr-defined]
                self.call_later(
                    RECHECK_SECONDS, self._watch_again, protocol_factory, sock, sslcontext, server, backlog, *rest
                )
                return
            else:
                take = 1
        super()._accept_connection(protocol_factory, sock, sslcontext, server, take, *rest)  # type: ignore[misc]

    def _watch_again(self, protocol_factory: Any, sock: socket.socket, *args: Any) -> None:
        if sock.fileno() != -1:  # not closed meanwhile (the server stopping)
            self._add_reader(sock.fileno(), self._accept_connection, protocol_factory, sock, *args)  # type: ignore[attr-defined]

    def _accept_connection2(self, *args: Any, **kwargs: Any) -> Any:
        """Called once for each connection accepted, as it is accepted: counted at once, so that
        the next wake-up (before the connection is set up) sees it."""
        if self.shares is not None:
            self.shares.accepted()
        return super()._accept_connection2(*args, **kwargs)  # type: ignore[misc]


class HttpProtocol(HttpToolsProtocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        cycle = self.cycle
        # a new request's cycle (an upgrade leaves the previous one), not yet answering: its task
        # was created but has not run
        if cycle is not None and cycle.scope is self.scope and not cycle.response_started:
            HeldHeaders.install(cycle)


class HeldHeaders:
    """The transport as one response cycle sees it: its status line and headers wait for what
    follows them, so that both leave in one write.

    It and its cycle point at each other until the response is complete, then it lets go: a
    reference cycle left behind would wait for the garbage collector, whose passes pause every
    connection of the process (see `runtime.web.http.render` for the pages' own)."""

    def __init__(self, transport: asyncio.Transport, cycle: RequestResponseCycle) -> None:
        self.transport = transport
        self.cycle: RequestResponseCycle | None = cycle
        self.held: bytes | None = None
        self.headers_passed = False

    @classmethod
    def install(cls, cycle: RequestResponseCycle) -> None:
        held = cls(cycle.transport, cycle)
        done = cycle.on_response

        def on_response() -> None:
            held.flush()
            held.headers_passed, held.cycle = True, None
            done()

        cycle.transport = held  # type: ignore[assignment]
        cycle.on_response = on_response

    def write(self, data: bytes) -> None:
        if not self.headers_passed and self.cycle is not None and self.cycle.response_started:  # uvicorn's one write
            self.headers_passed = True
            self.held = data
            return
        if self.held is not None:
            data, self.held = self.held + data, None
        self.transport.write(data)

    def flush(self) -> None:
        if self.held is not None:
            data, self.held = self.held, None
            self.transport.write(data)

    def close(self) -> None:
        self.flush()
        self.transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.transport, name)


# what `serve` gives uvicorn (and the browser tests' server, so they run on the same):
# asyncio's loop, not uvloop: under uvloop a few connections of a busy process waited over a
# second for their turn (p99 1.2 s against 0.11 s at 64 connections, same throughput)
UVICORN_OPTIONS: dict[str, Any] = {"loop": f"{__name__}:EventLoop", "http": HttpProtocol}
