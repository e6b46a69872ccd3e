"""How the server takes connections and speaks HTTP: asyncio's loop and uvicorn's httptools
protocol, with what `serve --workers N` changes in them.

uvicorn binds the port itself and hands the one listening socket to N processes, which all wait
on it. asyncio's loop accepts up to the backlog (2,048) connections each time it wakes, so the
first process to wake took every connection a burst opened while the others sat idle; this loop
takes one per wake-up, and the processes share the connections.

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
import socket
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle


class EventLoop(asyncio.SelectorEventLoop):
    def _accept_connection(
        self,
        protocol_factory: Any,
        sock: Any,
        sslcontext: Any = None,
        server: Any = None,
        backlog: int = 100,
        *rest: Any,
    ) -> None:
        super()._accept_connection(protocol_factory, sock, sslcontext, server, 1, *rest)  # type: ignore[misc]


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
    follows them, so that both leave in one write."""

    def __init__(self, transport: asyncio.Transport, cycle: RequestResponseCycle) -> None:
        self.transport = transport
        self.cycle = cycle
        self.held: bytes | None = None
        self.headers_passed = False

    @classmethod
    def install(cls, cycle: RequestResponseCycle) -> None:
        held = cls(cycle.transport, cycle)
        done = cycle.on_response

        def on_response() -> None:
            held.flush()
            done()

        cycle.transport = held  # type: ignore[assignment]
        cycle.on_response = on_response

    def write(self, data: bytes) -> None:
        if not self.headers_passed and self.cycle.response_started:  # uvicorn's one write of them
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
