"""What `serve --workers N` changes in how connections are taken (issue 14): a listening socket
made the way uvicorn makes it for several processes (protocol number 0) still gives connections
with Nagle's algorithm off, and one wake-up of the loop takes one connection, leaving the rest
to the other processes."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from typing import Any

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


# -- one write per response ---------------------------------------------------------------


async def answer(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """A small app: /fail breaks after the headers, /stream sends its body in parts, /empty has
    none, anything else answers "hello"."""
    if scope["type"] != "http":
        return
    path = scope["path"]
    length = [] if path == "/stream" else [(b"content-length", b"0" if path == "/empty" else b"5")]
    await send({"type": "http.response.start", "status": 303 if path == "/empty" else 200, "headers": length})
    if path == "/fail":
        raise RuntimeError("broken after the headers")
    if path == "/stream":
        for part in (b"one", b"two"):
            await send({"type": "http.response.body", "body": part, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        return
    await send({"type": "http.response.body", "body": b"" if path == "/empty" else b"hello"})


def exchange(protocol: type[HttpToolsProtocol], request: bytes, until: bytes | None = None) -> tuple[bytes, int]:
    """Send one request on a new connection; the bytes received (up to `until`, else the close)
    and how many writes the server made."""
    writes: list[bytes] = []

    class Counting(protocol):  # type: ignore[valid-type,misc]
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            real = transport.write

            def write(data: bytes | bytearray | memoryview) -> None:
                writes.append(bytes(data))
                real(data)

            transport.write = write  # type: ignore[method-assign]
            super().connection_made(transport)

    async def run() -> bytes:
        loop = asyncio.get_running_loop()
        config = Config(answer, http=Counting, log_level="critical", lifespan="off")
        config.load()
        state = ServerState()
        server = await loop.create_server(
            lambda: Counting(config=config, server_state=state, app_state={}, _loop=loop), "127.0.0.1", 0
        )
        reader, writer = await asyncio.open_connection(*server.sockets[0].getsockname()[:2])
        writer.write(request)
        if until is None:
            received = await asyncio.wait_for(reader.read(), 5)
        else:
            received = await asyncio.wait_for(reader.readuntil(until), 5)
        writer.close()
        for connection in list(state.connections):
            connection.shutdown()
        server.close()
        return received

    received = asyncio.run(run())
    return received, len(writes)


def test_headers_and_body_leave_in_one_write() -> None:
    received, writes = exchange(HttpProtocol, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert received.startswith(b"HTTP/1.1 200 OK\r\n") and received.endswith(b"\r\n\r\nhello")
    assert writes == 1


def test_without_it_uvicorn_writes_them_apart() -> None:
    _, writes = exchange(HttpToolsProtocol, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert writes == 2  # why HeldHeaders exists


def test_a_response_without_body_still_leaves() -> None:
    received, writes = exchange(HttpProtocol, b"GET /empty HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert received.startswith(b"HTTP/1.1 303 ") and received.endswith(b"\r\n\r\n") and writes == 1


def test_a_head_answer_on_a_kept_connection_is_not_held() -> None:
    # nothing follows the headers and the connection stays open: the end of the response sends them
    received, writes = exchange(HttpProtocol, b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n", until=b"\r\n\r\n")
    assert received.startswith(b"HTTP/1.1 200 OK\r\n") and writes == 1


def test_a_streamed_body_goes_out_part_by_part() -> None:
    received, writes = exchange(HttpProtocol, b"GET /stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert b"one" in received and b"two" in received and received.endswith(b"0\r\n\r\n")
    assert writes == 3  # headers with the first part, the second, the end


def test_an_app_failing_after_its_headers_still_sends_them_and_closes() -> None:
    received, _ = exchange(HttpProtocol, b"GET /fail HTTP/1.1\r\nHost: x\r\n\r\n")
    assert received.startswith(b"HTTP/1.1 200 OK\r\n")  # as before: headers, then the close
