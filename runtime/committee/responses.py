"""Responses the stage's pages and API share: files with a Chinese name."""

from __future__ import annotations

from urllib.parse import quote

from starlette.responses import Response

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SVG = "image/svg+xml"


def download(content: bytes, media_type: str, filename: str) -> Response:
    """An attachment with an ASCII fallback name plus the UTF-8 name (RFC 6266)."""
    ascii_name = "document." + filename.rsplit(".", 1)[-1]
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(content, media_type=media_type, headers={"content-disposition": disposition})


def svg(content: bytes) -> Response:
    # an SVG opened on its own must not run anything: the chart has no script, and the
    # policy below forbids any that a future change might add
    return Response(
        content, media_type=SVG, headers={"content-security-policy": "default-src 'none'; style-src 'unsafe-inline'"}
    )
