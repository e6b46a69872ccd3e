"""Create the peer's tables, N people each with a declaration and a signed-in session:
`python -m peer.seed N` prints one JSON line per person: session cookie and declaration id."""

from __future__ import annotations

import json
import sys

import django


def main(count: int) -> None:
    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from peer.models import Declaration

    call_command("migrate", run_syncdb=True, verbosity=0)
    for n in range(count):
        user = User(username=f"person{n}")
        user.set_unusable_password()  # signed in by the session below; no login is measured
        user.save()
        declaration = Declaration.objects.create(id=f"{n:032x}", person=user)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        print(json.dumps({"sessionid": session.session_key, "declaration": declaration.id}))


if __name__ == "__main__":
    main(int(sys.argv[1]))
