"""What `serve --workers N` changes in how connections are taken (issue 14): a listening socket
made the way uvicorn makes it for several processes (protocol number 0) still gives connections
with Nagle's algorithm off, and one wake-up of the loop takes one connection, leaving the rest
to the other processes."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator

import pytest
from uvicorn import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from runtime.web.server_protocol import EventLoop, HttpProtocol


async def app(scope: object, receive: object, send: object) -> None:  # never called: no request is sent
    raise AssertionError


@pytest.fixture
def listening() -> Iterator[socket.socket]:
    sock = socket.socket(socket.AF_INET)  # as uvicorn's Config.bind_socket does
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    sock.setblocking(False)
    yield sock
    sock.close()


def serve_and_connect(
    loop: asyncio.AbstractEventLoop, listening: socket.socket, protocol: type[HttpToolsProtocol], clients: int
) -> tuple[list[HttpToolsProtocol], list[socket.socket], list[int]]:
    """Open `clients` connections at once, then count the connections the server has after each
    turn of its loop."""
    config = Config(app, http=protocol, log_level="warning")
    config.load()
    made: list[HttpToolsProtocol] = []

    def factory() -> HttpToolsProtocol:
        made.append(protocol(config=config, server_state=ServerState(), app_state={}, _loop=loop))
        return made[-1]

    server = loop.run_until_complete(loop.create_server(factory, sock=listening))
    opened = [socket.create_connection(listening.getsockname()) for _ in range(clients)]
    counts = []
    for _ in range(clients * 8):
        loop.run_until_complete(asyncio.sleep(0))
        counts.append(len(made))
    server.close()
    return made, opened, counts


def nodelay(protocol: HttpToolsProtocol) -> int:
    assert protocol.transport is not None
    return int(protocol.transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))


def test_connections_on_a_shared_socket_have_nagle_off(listening: socket.socket) -> None:
    loop = EventLoop()
    try:
        made, opened, _ = serve_and_connect(loop, listening, HttpProtocol, 2)
        assert len(made) == 2 and all(nodelay(p) for p in made)
    finally:
        for client in opened:
            client.close()
        loop.close()


def test_without_it_asyncio_leaves_nagle_on(listening: socket.socket) -> None:
    loop = asyncio.new_event_loop()
    try:
        made, opened, _ = serve_and_connect(loop, listening, HttpToolsProtocol, 1)
        assert len(made) == 1 and nodelay(made[0]) == 0  # why HttpProtocol exists
    finally:
        for client in opened:
            client.close()
        loop.close()


def test_one_connection_per_wake_up(listening: socket.socket) -> None:
    loop = EventLoop()
    try:
        _, opened, counts = serve_and_connect(loop, listening, HttpProtocol, 4)
        assert counts[-1] == 4  # every connection is taken in the end
        assert counts[0] < 4, counts  # but not all in the first turn
    finally:
        for client in opened:
            client.close()
        loop.close()


def test_asyncio_takes_a_whole_burst_at_once(listening: socket.socket) -> None:
    loop = asyncio.new_event_loop()
    try:
        _, opened, counts = serve_and_connect(loop, listening, HttpProtocol, 4)
        assert counts[0] == 4, counts  # why EventLoop exists: one process would take them all
    finally:
        for client in opened:
            client.close()
        loop.close()
