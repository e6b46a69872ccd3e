"""What `serve --workers N` changes in how connections are taken (issue 14): a listening socket
made the way uvicorn makes it for several processes (protocol number 0) still gives connections
with Nagle's algorithm off, and a wake-up of the loop takes the process's fair share of the
waiting connections at once, leaving the rest to the other processes (counted in a shared file
that real other processes hold here)."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from runtime_support import cyclic_garbage
from uvicorn import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle
from uvicorn.server import ServerState

from runtime.web.server_protocol import SHARES_FILE, ConnectionShares, EventLoop, HeldHeaders, HttpProtocol


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
    loop: asyncio.AbstractEventLoop,
    listening: socket.socket,
    protocol: type[HttpToolsProtocol],
    clients: int,
    then_wait: float = 0.0,
) -> tuple[list[HttpToolsProtocol], list[socket.socket], list[int]]:
    """Open `clients` connections at once, then count the connections the server has after each
    turn of its loop (and once more after `then_wait` seconds of turns)."""
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
    if then_wait:
        loop.run_until_complete(asyncio.sleep(then_wait))
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


def test_alone_a_process_takes_a_whole_burst_at_once(listening: socket.socket) -> None:
    loop = EventLoop()  # no shared file: `serve` with one process, or the browser tests' server
    try:
        _, opened, counts = serve_and_connect(loop, listening, HttpProtocol, 4)
        assert counts[0] == 4, counts
    finally:
        for client in opened:
            client.close()
        loop.close()


# -- the fair share, beside other processes -------------------------------------------------

# another server process, as far as the shared file knows: it claims a slot, says it has accepted
# N connections, prints its slot and how many of 4 waiting connections it would take, and holds
# the slot until its standard input closes
HOLDER = """
import sys
from pathlib import Path
from runtime.web.server_protocol import ConnectionShares
shares = ConnectionShares(Path(sys.argv[1]))
shares.claim()
for _ in range(int(sys.argv[2])):
    shares.accepted()
print(shares.mine, shares.to_take(4), flush=True)
sys.stdin.read()
"""


@pytest.fixture
def shares_file(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = ConnectionShares.create(2)
    monkeypatch.setenv(SHARES_FILE, str(path))
    yield path
    path.unlink()


@dataclass
class Holder:
    process: subprocess.Popen[str]
    slot: int
    take: int  # how many of 4 waiting connections it would have taken when it started


def hold(path: Path, accepted: int) -> Holder:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path), str(accepted)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    slot, take = process.stdout.readline().split()  # once it has its slot
    return Holder(process, int(slot), int(take))


def release(holder: Holder) -> None:
    assert holder.process.stdin is not None
    holder.process.stdin.close()
    holder.process.wait(timeout=30)


def test_beside_a_process_with_as_many_it_takes_half_a_burst_at_once(
    listening: socket.socket, shares_file: Path
) -> None:
    holder = hold(shares_file, 0)
    loop = EventLoop()
    try:
        # the holder never accepts (a process stuck in a long turn): after a moment, this one
        # takes the rest too rather than leave them waiting
        _, opened, counts = serve_and_connect(loop, listening, HttpProtocol, 6, then_wait=0.5)
        assert counts[0] == 3, counts  # its half, in the first turn
        assert counts[-2] == 3, counts  # and no more while the other could take them
        assert counts[-1] == 6, counts
        assert loop.shares is not None and loop.shares.counts() == [0, 6]  # the holder's slot, then its own
    finally:
        for client in opened:
            client.close()
        loop.close()
        release(holder)


def test_a_process_behind_the_others_takes_more(listening: socket.socket, shares_file: Path) -> None:
    loop = EventLoop()
    assert loop.shares is not None
    loop.shares.claim()  # first: slot 0, level with nobody
    holder = hold(shares_file, 4)  # then another, which has accepted 4 since
    try:
        _, opened, counts = serve_and_connect(loop, listening, HttpProtocol, 6)
        assert counts[0] == 5, counts  # (4 + 6) / 2
    finally:
        for client in opened:
            client.close()
        loop.close()
        release(holder)


def test_the_slot_of_a_process_that_has_ended_does_not_count(listening: socket.socket, shares_file: Path) -> None:
    release(hold(shares_file, 0))
    loop = EventLoop()
    try:
        _, opened, counts = serve_and_connect(loop, listening, HttpProtocol, 4)
        assert counts[0] == 4, counts  # alone now: nobody to leave them to
    finally:
        for client in opened:
            client.close()
        loop.close()


def test_a_process_still_loading_its_app_is_not_counted(shares_file: Path) -> None:
    loop = EventLoop()  # it has the file, but serves nothing yet
    holder = hold(shares_file, 0)
    try:
        assert holder.take == 4  # so the one serving takes them all
        assert loop.shares is not None and loop.shares.mine == -1
    finally:
        loop.close()
        release(holder)


def test_a_process_started_later_starts_level_with_the_others(shares_file: Path) -> None:
    holder = hold(shares_file, 7)
    try:
        late = ConnectionShares(shares_file)  # a worker restarted after the others accepted 7
        late.claim()
        assert late.counts() == [7, 7]  # not 7 behind: it would take every new connection
        assert late.to_take(2) == 1
    finally:
        release(holder)


def test_without_a_free_slot_a_process_takes_what_waits(shares_file: Path) -> None:
    first, second = hold(shares_file, 0), hold(shares_file, 0)
    try:
        third = ConnectionShares(shares_file)  # more processes than slots
        third.claim()
        assert third.mine == -1 and third.to_take(3) == 3
    finally:
        release(first)
        release(second)


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


@asynccontextmanager
async def serving(
    protocol: type[HttpToolsProtocol],
) -> AsyncIterator[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    """`answer` served with `protocol` on a new port, and a connection to it."""
    loop = asyncio.get_running_loop()
    config = Config(answer, http=protocol, log_level="critical", lifespan="off")
    config.load()
    state = ServerState()
    server = await loop.create_server(
        lambda: protocol(config=config, server_state=state, app_state={}, _loop=loop), "127.0.0.1", 0
    )
    reader, writer = await asyncio.open_connection(*server.sockets[0].getsockname()[:2])
    try:
        yield reader, writer
    finally:
        writer.close()
        for connection in list(state.connections):
            connection.shutdown()
        server.close()


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
        async with serving(Counting) as (reader, writer):
            writer.write(request)
            if until is None:
                return await asyncio.wait_for(reader.read(), 5)
            return await asyncio.wait_for(reader.readuntil(until), 5)

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


def test_a_response_leaves_no_cycles_behind() -> None:
    """HeldHeaders and its response cycle point at each other until the response is complete;
    what a request left in cycles would wait for the garbage collector, which pauses every
    connection of the process."""

    async def run() -> int:
        async with serving(HttpProtocol) as (reader, writer):

            async def one() -> None:  # on one kept connection
                writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                await asyncio.wait_for(reader.readuntil(b"hello"), 5)

            await one()
            with cyclic_garbage() as found:
                for _ in range(20):
                    await one()
            return sum(isinstance(o, (RequestResponseCycle, HeldHeaders)) for o in found)

    assert asyncio.run(run()) == 0
