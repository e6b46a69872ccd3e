"""A port for a benchmark's server on 127.0.0.1."""

from __future__ import annotations

import socket

RANGE = range(8140, 8150)


def free_port(preferred: int) -> int:
    """The preferred port, else the next free one of the benchmarks' range on 127.0.0.1 (a test
    run may hold one of them for a while)."""
    for port in [preferred, *RANGE]:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit(f"no free port in {RANGE.start}-{RANGE.stop - 1}")
