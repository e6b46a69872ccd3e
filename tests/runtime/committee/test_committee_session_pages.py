"""The pages of the committee office and the experts (COM-1..4) do what the API does, with CSRF:
the pool, a session's draw with its seed and 回避, attendance below the quorum refused, the
tallies with the threshold from policy; an expert's page lists only the assigned declarations
(another is 404), records an opinion and casts a secret ballot once."""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Any

from documents_helpers import World, full_sections
from runtime_support import csrf_of


def fraction(text: str) -> Fraction:
    top, bottom = text.split("/")
    return Fraction(int(top), int(bottom))


def test_the_pool_page_adds_an_expert_with_csrf_and_refuses_a_bad_level(world: World, committee: str, svc: Any) -> None:
    browser = world.browser(world.org_account(committee, role="committee_office"))
    page = browser.get("/experts")
    assert page.status_code == 200 and 'href="/review-sessions"' in page.text
    level = svc.bundle.entries("levels")[0]["value"]
    fields = {"name": "页面专家", "unit": "威海市某研究院", "title_level": level}
    assert browser.post("/experts", data=fields).status_code == 403
    bad = browser.post("/experts", data={**fields, "title_level": "特级", "csrf_token": csrf_of(page.text)})
    assert bad.status_code == 422 and svc.bundle.text("expert_field_invalid") in bad.text
    done = browser.post("/experts", data={**fields, "csrf_token": csrf_of(page.text)})
    assert done.status_code == 200 and "页面专家" in done.text
    reviewer = world.browser(world.org_account(committee))
    assert reviewer.get("/experts").status_code == 403


def test_the_session_page_shows_the_seed_and_the_experts_passed_over_for_an_applicants_unit(
    world: World, unit: str, committee: str, svc: Any
) -> None:
    office = world.org_account(committee, role="committee_office")
    headers = world.bearer(office)
    level = svc.bundle.entries("levels")[-1]["value"]
    count = int(svc.bundle.committee["experts"]["session_minimum"][level])
    sections = full_sections(unit)
    sections["header"].update(level=level)
    declaration = world.declaration(world.person(), sections, chain=[unit, committee], state="passed")
    unit_name = world.one("SELECT name FROM organisations WHERE id = ?", (unit,))["name"]
    world.client.post(
        "/api/v1/experts", json={"name": "同单位专家", "unit": unit_name, "title_level": level}, headers=headers
    )
    for i in range(count):
        world.client.post(
            "/api/v1/experts", json={"name": f"专家{i}", "unit": f"外单位{i}", "title_level": level}, headers=headers
        )
    browser = world.browser(office)
    listing = browser.get("/review-sessions")
    assert declaration in listing.text
    for odd in ("²²", "9" * 5000):  # digits to str.isdigit(), not to int(): a 422 naming the count
        refused = browser.post(
            "/review-sessions",
            data={
                "series": sections["header"]["series"],
                "level": level,
                "expert_count": odd,
                "declaration_ids": declaration,
                "csrf_token": csrf_of(listing.text),
            },
        )
        assert refused.status_code == 422, odd
    created = browser.post(
        "/review-sessions",
        data={
            "series": sections["header"]["series"],
            "level": level,
            "expert_count": str(count),
            "declaration_ids": declaration,
            "csrf_token": csrf_of(listing.text),
        },
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    page = browser.get(created.headers["location"])
    assert "同单位专家" in page.text and svc.bundle.text("avoided_unit") in page.text
    drawn = browser.post(created.headers["location"] + "/draw", data={"csrf_token": csrf_of(page.text)})
    assert drawn.status_code == 200
    seed = world.one("SELECT seed FROM review_sessions")["seed"]
    assert seed and seed in drawn.text
    taken = "SELECT COUNT(*) AS n FROM session_experts e JOIN experts x ON x.id = e.expert_id WHERE x.name = ?"
    assert world.one(taken, ("同单位专家",))["n"] == 0


def test_attendance_below_the_quorum_is_refused_on_the_page_and_tallies_show_the_threshold(
    world: World, svc: Any, drawn: dict[str, Any]
) -> None:
    spec = svc.bundle.committee["vote"]
    browser = world.browser(drawn["office_account"])
    url = f"/review-sessions/{drawn['session']['id']}"
    page = browser.get(url)
    experts = [e["id"] for e in drawn["session"]["experts"]]
    needed = math.ceil(fraction(spec["quorum"]) * drawn["count"])
    short = browser.post(url + "/vote", data={"attending": experts[: needed - 1], "csrf_token": csrf_of(page.text)})
    assert short.status_code == 409
    assert svc.bundle.text("vote_no_quorum", attending=needed - 1, total=drawn["count"]) in short.text
    opened = browser.post(url + "/vote", data={"attending": experts[:needed], "csrf_token": csrf_of(page.text)})
    assert opened.status_code == 200
    agree_needed = math.ceil(fraction(spec["threshold"]) * needed)
    rule = svc.bundle.text("vote_threshold_rule", attending=needed, needed=agree_needed, threshold=spec["threshold"])
    assert rule in opened.text
    # an open vote has no result yet: neither passed nor failed until it is closed
    results = re.findall(r'data-label="' + re.escape(svc.bundle.text("vote_passes")) + r'"[^>]*>([^<]*)<', opened.text)
    assert results and set(results) == {svc.bundle.text("vote_pending")}


def test_an_expert_page_lists_only_assigned_declarations_and_takes_an_opinion_and_one_ballot(
    world: World, unit: str, committee: str, svc: Any, drawn: dict[str, Any]
) -> None:
    expert_id = drawn["session"]["experts"][0]["id"]
    browser = world.browser(drawn["accounts"][expert_id])
    home = browser.get("/expert")
    assert home.status_code == 200 and all(d in home.text for d in drawn["ids"])
    other = world.declaration(world.person(), full_sections(unit), chain=[unit, committee], state="passed")
    assert other not in home.text
    assert browser.get(f"/expert/declarations/{other}").status_code == 404
    declaration = drawn["ids"][0]
    page = browser.get(f"/expert/declarations/{declaration}")
    assert page.status_code == 200
    score = svc.bundle.committee["opinions"]["score"]["max"]
    forged = browser.post(f"/expert/declarations/{declaration}/opinion", data={"opinion": "同意", "score": score})
    assert forged.status_code == 403
    saved = browser.post(
        f"/expert/declarations/{declaration}/opinion",
        data={"opinion": "材料完整,业绩突出", "score": str(score), "csrf_token": csrf_of(page.text)},
    )
    assert saved.status_code == 200 and "材料完整,业绩突出" in saved.text
    experts = [e["id"] for e in drawn["session"]["experts"]]
    world.client.post(
        f"/api/v1/review-sessions/{drawn['session']['id']}/vote", json={"attending": experts}, headers=drawn["office"]
    )
    page = browser.get(f"/expert/declarations/{declaration}")
    assert 'id="ballot-form"' in page.text
    ballot = {
        "declaration_id": declaration,
        "choice": svc.bundle.committee["vote"]["agree"],
        "csrf_token": csrf_of(page.text),
    }
    cast = browser.post(f"/expert/sessions/{drawn['session']['id']}/ballots", data=ballot)
    assert (
        cast.status_code == 200 and svc.bundle.text("expert_voted") in cast.text and 'id="ballot-form"' not in cast.text
    )
    again = browser.post(f"/expert/sessions/{drawn['session']['id']}/ballots", data=ballot)
    assert again.status_code == 409
    applicant = world.browser(world.person())
    assert applicant.get("/expert").status_code == 403


def attach(world: World, svc: Any, declaration: str, content: bytes) -> str:
    import hashlib
    import uuid

    from runtime.declarations import uploads

    sha = hashlib.sha256(content).hexdigest()
    uploads.file_store(svc).put(sha, content)
    attachment_id = uuid.uuid4().hex
    person = world.one("SELECT person_id FROM declarations WHERE id = ?", (declaration,))["person_id"]
    svc.storage.insert(
        "attachments",
        {
            "id": attachment_id,
            "declaration_id": declaration,
            "section_id": "achievements",
            "kind": "proof",
            "filename": "论文.pdf",
            "sha256": sha,
            "size": len(content),
            "media_type": "application/pdf",
            "uploaded_by": person,
            "created_at": "2026-11-10T10:00:00+08:00",
        },
    )
    return attachment_id


def test_an_expert_reads_the_attachments_of_an_assigned_declaration_only(
    world: World, unit: str, committee: str, svc: Any, drawn: dict[str, Any]
) -> None:
    browser = world.browser(drawn["accounts"][drawn["session"]["experts"][0]["id"]])
    mine = attach(world, svc, drawn["ids"][0], b"%PDF-1.4 assigned")
    other_declaration = world.declaration(world.person(), full_sections(unit), chain=[unit, committee], state="passed")
    other = attach(world, svc, other_declaration, b"%PDF-1.4 not assigned")
    page = browser.get(f"/expert/declarations/{drawn['ids'][0]}")
    assert f'href="/expert/attachments/{mine}"' in page.text
    opened = browser.get(f"/expert/attachments/{mine}")
    assert opened.status_code == 200 and opened.content == b"%PDF-1.4 assigned"
    assert browser.get(f"/expert/attachments/{other}").status_code == 404
    assert world.browser(world.person()).get(f"/expert/attachments/{mine}").status_code == 403
