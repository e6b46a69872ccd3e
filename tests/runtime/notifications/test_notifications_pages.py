"""The message list: the header counts the unread ones, the page shows only the caller's own, the
newest unread is shown on every page until read, and marking read needs the form's CSRF token."""

from __future__ import annotations

import html

from chain_helpers import World, page_login
from runtime_support import csrf_of
from test_notifications_kinds import city_unit, submitted

from runtime.clock import iso
from runtime.notifications import inbox


def test_the_applicant_sees_the_unread_return_with_its_comment_and_marks_it_read(world: World) -> None:
    unit, _ = city_unit(world)
    applicant, declaration = submitted(world, unit)
    comment = "请补充继续教育学时证明"
    assert unit.return_(declaration, comment, ["continuing_education"]).status_code == 200
    browser = page_login(world, applicant.login)
    unread = world.svc.bundle.text("messages_unread", count=1)
    page = html.unescape(browser.get("/declarations").text)
    assert unread in page and comment in page  # header count and the newest-unread strip
    listing = browser.get("/messages").text
    assert comment in html.unescape(listing) and 'class="card message unread"' in listing
    for odd in ("²", "9" * 5000, "x"):  # no message number: the first page
        shown = browser.get("/messages", params={"before": odd})
        assert shown.status_code == 200 and comment in html.unescape(shown.text)
    refused = browser.post("/messages/read", data={"csrf_token": "wrong"})
    assert refused.status_code == 403
    marked = browser.post("/messages/read", data={"csrf_token": csrf_of(listing)}, follow_redirects=False)
    assert marked.status_code == 303
    after = html.unescape(browser.get("/declarations").text)
    assert unread not in after and 'id="unread-strip"' not in after


def test_nobody_sees_another_persons_messages(world: World) -> None:
    unit, _ = city_unit(world)
    _, declaration = submitted(world, unit)
    comment = "仅申报人本人可见的意见"
    assert unit.return_(declaration, comment).status_code == 200
    stranger = world.applicant()
    page = html.unescape(page_login(world, stranger.login).get("/messages").text)
    assert comment not in page
    assert world.svc.bundle.text("messages_none") in page


def test_the_message_list_needs_a_login(world: World) -> None:
    response = world.client.get("/messages", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"


def test_the_header_counts_the_unread_and_names_the_newest_of_them(world: World) -> None:
    person = world.applicant()
    svc = world.svc
    assert inbox.unread(svc, person.account_id) == inbox.Unread(0, None)
    now = iso(svc.clock.now())
    for n, read_at in enumerate([None, None, now, None]):
        row = {"account_id": person.account_id, "event": "return", "text": f"第{n}条", "link": ""}
        svc.storage.insert("messages", {**row, "created_at": now, "read_at": read_at})
    found = inbox.unread(svc, person.account_id)
    assert found.count == 3 and found.newest is not None and found.newest["text"] == "第3条"
    assert set(found.newest) == set(world.one("SELECT * FROM messages LIMIT 1"))  # the row, nothing added
    svc.storage.execute("UPDATE messages SET read_at = ? WHERE text = ?", (now, "第3条"))
    found = inbox.unread(svc, person.account_id)
    assert found.count == 2 and found.newest is not None and found.newest["text"] == "第1条"
    assert inbox.unread(svc, world.applicant().account_id) == inbox.Unread(0, None)  # only one's own
