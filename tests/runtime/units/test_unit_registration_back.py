"""返回 on the unit registration's confirm step (UNIT-1, issue 16): the form comes back with every
value typed but the passwords, nothing is registered, and sending it again confirms as before."""

from __future__ import annotations

import re

from chain_helpers import World
from runtime_support import csrf_of
from starlette.testclient import TestClient


def _confirm_step(world: World, client: TestClient, doc: dict[str, str]) -> tuple[str, str]:
    form = client.get("/register/unit")
    shown = client.post("/register/unit", data={"csrf_token": csrf_of(form.text), **doc})
    assert shown.status_code == 200, shown.text
    pending = re.search(r'name="pending" value="([^"]+)"', shown.text)
    assert pending and 'id="unit-registration-back"' in shown.text
    return shown.text, pending.group(1)


def test_back_on_the_unit_confirm_step_keeps_every_value_but_the_passwords(world: World) -> None:
    client = TestClient(world.app, base_url="http://testserver")
    doc = world.unit_doc("威海市返回测试有限公司", "371000")
    shown, pending = _confirm_step(world, client, doc)
    back = client.post("/register/unit/back", data={"csrf_token": csrf_of(shown), "pending": pending})
    assert back.status_code == 200
    for field in ("login_name", "unit_name", "uscc", "contact", "mobile"):
        assert f'value="{doc[field]}"' in back.text, field
    assert re.search(rf'<option value="{doc["region"]}"[^>]*selected', back.text), "the region stays chosen"
    assert doc["password"] not in back.text
    assert world.one("SELECT 1 AS x FROM organisations WHERE name = ?", (doc["unit_name"],)) is None

    # the held registration is gone: confirming it now is refused; the form sent again works
    stale = client.post("/register/unit/confirm", data={"csrf_token": csrf_of(back.text), "pending": pending})
    assert stale.status_code == 409
    again, fresh = _confirm_step(world, client, doc)
    done = client.post("/register/unit/confirm", data={"csrf_token": csrf_of(again), "pending": fresh})
    assert done.status_code == 200
    assert world.one("SELECT 1 AS x FROM organisations WHERE name = ?", (doc["unit_name"],)) is not None


def test_back_with_an_unknown_pending_registration_shows_an_empty_form(world: World) -> None:
    client = TestClient(world.app, base_url="http://testserver")
    form = client.get("/register/unit")
    back = client.post("/register/unit/back", data={"csrf_token": csrf_of(form.text), "pending": "nothing-held"})
    assert back.status_code == 200
    assert 'id="unit_name"' in back.text and 'value="威海' not in back.text
