"""Issue 13, finding 7 (API.md "Concurrency"): two sessions saving one section no longer lose
an edit silently: a stale If-Match gets 412, a stale page form gets a 409 page showing both."""

from __future__ import annotations

import re

from applicant_helpers import Applicant, World
from runtime_support import csrf_of, valid_declaration

from runtime.declarations import declarations

SECTION = "performance"
FIELD = "achievements_text"


def _url(declaration_id: str) -> str:
    return f"/api/v1/declarations/{declaration_id}/sections/{SECTION}?draft=true"


def _text(world: World, n: int) -> str:
    form = world.client.app.state.services.bundle.sections["declaration"][SECTION]  # type: ignore[attr-defined]
    descriptor = form.field_index[FIELD]
    return (f"第{n}次填写的内容。" * 200)[: max(descriptor.get("minLength", 1), 60)]


def test_a_declaration_carries_its_version_as_etag_and_each_save_changes_it(applicant: Applicant) -> None:
    declaration_id = applicant.new_declaration()
    shown = applicant.get(f"/api/v1/declarations/{declaration_id}")
    etag = shown.headers["etag"]
    saved = applicant.put(_url(declaration_id), json={FIELD: "x"}, headers={"If-Match": etag})
    assert saved.status_code == 200 and saved.headers["etag"] != etag
    assert applicant.get(f"/api/v1/declarations/{declaration_id}").headers["etag"] == saved.headers["etag"]


def test_the_second_of_two_saves_from_one_version_gets_412_and_the_first_edit_stays(
    world: World, applicant: Applicant
) -> None:
    declaration_id = applicant.new_declaration()
    etag = applicant.get(f"/api/v1/declarations/{declaration_id}").headers["etag"]
    first = applicant.put(_url(declaration_id), json={FIELD: _text(world, 1)}, headers={"If-Match": etag})
    second = applicant.put(_url(declaration_id), json={FIELD: _text(world, 2)}, headers={"If-Match": etag})
    assert (first.status_code, second.status_code) == (200, 412)
    assert second.headers["etag"] == first.headers["etag"]
    stored = applicant.get(f"/api/v1/declarations/{declaration_id}").json()["sections"][SECTION][FIELD]
    assert stored == _text(world, 1)


def test_an_if_match_that_is_no_version_of_ours_is_refused(applicant: Applicant) -> None:
    declaration_id = applicant.new_declaration()
    assert applicant.put(_url(declaration_id), json={FIELD: "x"}, headers={"If-Match": '"abc"'}).status_code == 412
    for tag in (b'"v\xb2"', b'"v' + b"9" * 5000 + b'"'):  # '²' (latin-1 0xB2) is a digit to str.isdigit(), not int()
        assert applicant.put(_url(declaration_id), json={FIELD: "x"}, headers={"If-Match": tag}).status_code == 412
    assert applicant.put(_url(declaration_id), json={FIELD: "x"}, headers={"If-Match": "*"}).status_code == 200


def test_a_save_without_if_match_is_still_accepted(applicant: Applicant) -> None:
    declaration_id = applicant.new_declaration()
    assert applicant.put(_url(declaration_id), json={FIELD: "x"}).status_code == 200


def test_a_stale_if_match_on_submit_changes_nothing(filled: str, applicant: Applicant) -> None:
    etag = applicant.get(f"/api/v1/declarations/{filled}").headers["etag"]
    assert applicant.put(_url(filled), json={FIELD: "y" * 60}).status_code == 200  # another tab
    refused = applicant.post(f"/api/v1/declarations/{filled}/submit", headers={"If-Match": etag})
    assert refused.status_code == 412
    state = applicant.get(f"/api/v1/declarations/{filled}").json()["state"]
    fresh = applicant.get(f"/api/v1/declarations/{filled}").headers["etag"]
    submitted = applicant.post(f"/api/v1/declarations/{filled}/submit", headers={"If-Match": fresh})
    assert submitted.status_code == 200 and submitted.json()["state"] != state


def _version(html: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', html)
    assert found, "the section form carries no version"
    return found.group(1)


def test_a_stale_page_form_gets_a_409_page_that_keeps_the_typing_and_shows_both(
    world: World, applicant: Applicant
) -> None:
    declaration_id = applicant.new_declaration()
    url = f"/declarations/{declaration_id}/sections/{SECTION}"
    tab_a, tab_b = world.page_client(), world.page_client()
    for tab in (tab_a, tab_b):
        world.page_login(tab, applicant.doc["login_name"])
    page_a, page_b = tab_a.get(url).text, tab_b.get(url).text
    assert _version(page_a) == _version(page_b)
    mine_a, mine_b = _text(world, 1), _text(world, 2)
    saved = tab_a.post(url, data={"csrf_token": csrf_of(page_a), "version": _version(page_a), FIELD: mine_a})
    assert saved.status_code == 200
    conflict = tab_b.post(url, data={"csrf_token": csrf_of(page_b), "version": _version(page_b), FIELD: mine_b})
    assert conflict.status_code == 409
    assert 'id="edit-conflict"' in conflict.text
    assert mine_a in conflict.text and mine_b in conflict.text  # both, the typing kept in the form
    stored = applicant.get(f"/api/v1/declarations/{declaration_id}").json()["sections"][SECTION][FIELD]
    assert stored == mine_a
    # saving again from the conflict page is a deliberate choice and goes through
    again = tab_b.post(
        url, data={"csrf_token": csrf_of(conflict.text), "version": _version(conflict.text), FIELD: mine_b}
    )
    assert again.status_code == 200
    assert applicant.get(f"/api/v1/declarations/{declaration_id}").json()["sections"][SECTION][FIELD] == mine_b


def test_the_page_after_a_save_carries_the_new_version_so_saving_again_goes_through(
    world: World, applicant: Applicant
) -> None:
    declaration_id = applicant.new_declaration()
    url = f"/declarations/{declaration_id}/sections/{SECTION}"
    tab = world.page_client()
    world.page_login(tab, applicant.doc["login_name"])
    page = tab.get(url).text
    first, second = _text(world, 1), _text(world, 2)
    saved = tab.post(url, data={"csrf_token": csrf_of(page), "version": _version(page), FIELD: first})
    assert saved.status_code == 200
    assert _version(saved.text) != _version(page)
    again = tab.post(url, data={"csrf_token": csrf_of(saved.text), "version": _version(saved.text), FIELD: second})
    assert again.status_code == 200
    assert applicant.get(f"/api/v1/declarations/{declaration_id}").json()["sections"][SECTION][FIELD] == second


def test_a_save_reports_the_declaration_as_a_fresh_read_finds_it(
    world: World, applicant: Applicant, unit_id: str
) -> None:
    """The page after a save shows the declaration save_section reports (its version, and for
    the header the queue's unit, series and level) instead of reading it again: it must be what
    a fresh read finds, for the header and for any other section."""
    svc = world.client.app.state.services  # type: ignore[attr-defined]
    declaration_id = applicant.new_declaration()
    account = svc.storage.account(applicant.id)
    sections = valid_declaration(unit_id)
    for section_id in (declarations.HEADER, SECTION):
        before = declarations.load(svc, declaration_id, account)
        saved = declarations.save_section(svc, before, account, section_id, sections[section_id], keep_invalid=True)
        after = declarations.load(svc, declaration_id, account)
        assert saved.declaration == after and saved.version == after["version"] == before["version"] + 1
    assert after["unit_id"] == unit_id  # the header's unit, now the queue's
