"""How the server takes connections and speaks HTTP: asyncio's loop and uvicorn's httptools
protocol, with two changes that `serve --workers N` needs.

uvicorn binds the port itself and hands the one listening socket to N processes, which all wait
on it. asyncio's loop accepts up to the backlog (2,048) connections each time it wakes, so the
first process to wake took every connection a burst opened while the others sat idle; this loop
takes one per wake-up, and the processes share the connections.

That socket is made with `socket.socket(family)` (protocol number 0), and asyncio switches
Nagle's algorithm off only on sockets whose protocol number says TCP, so every accepted
connection kept it on: a response written as headers then body waited for the client's delayed
ACK, 40 ms on every request. The protocol switches it off itself.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


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
