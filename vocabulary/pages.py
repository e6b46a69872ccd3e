"""Pages that policy text may link to (the FAQ's `links`), by a stable id.

The generator checks that a link names one of these (E402) and writes its path
into build/; the runtime serves each path (a test holds the two together), so a
link in a policy text cannot point at a page that does not exist.
"""

from __future__ import annotations

PAGES: dict[str, str] = {
    "login": "/login",
    "register": "/register",
    "register_unit": "/register/unit",
    "recover": "/recover",
    "basic_info": "/me",
    "declarations": "/declarations",
    "unit_permission": "/units/permission",
    "paths": "/paths",
    "routing": "/routing",
    "review": "/review",
    "reports": "/reports",
    "overview": "/overview",
    "permission_requests": "/permission-requests",
    "help": "/help",
    "messages": "/messages",
    "unit_corrections": "/units/corrections",
}
