"""The frames between the server and a print worker (see print_worker.py): a part is an
8-byte big-endian length and that many bytes. Kept apart so that the pool (pdf.py) and the
worker both import it and neither imports the other."""

from __future__ import annotations

import struct
from typing import IO

LENGTH = struct.Struct(">Q")


def write_frame(stream: IO[bytes], *parts: bytes) -> None:
    for part in parts:
        stream.write(LENGTH.pack(len(part)))
        stream.write(part)
    stream.flush()


def read_part(stream: IO[bytes]) -> bytes | None:
    """One part of a frame, or None at the end of the stream."""
    head = stream.read(LENGTH.size)
    if len(head) < LENGTH.size:
        return None
    (size,) = LENGTH.unpack(head)
    body = stream.read(size)
    return body if len(body) == size else None
