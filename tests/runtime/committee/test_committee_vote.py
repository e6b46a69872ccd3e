"""Expert accounts, assigned declarations and the vote (COM-3, COM-4): an expert sees only the
declarations it was drawn for (404 otherwise); the vote needs the policy's quorum of
attending experts; a declaration passes when 同意 reaches the policy's threshold of those
attending (just under it fails); ballots are secret — tallies only, one per expert."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import pytest
from documents_helpers import World, full_sections


def fraction(text: str) -> Fraction:
    top, bottom = text.split("/")
    return Fraction(int(top), int(bottom))


def test_an_expert_sees_only_assigned_declarations(
    world: World, unit: str, committee: str, drawn: dict[str, Any]
) -> None:
    token = next(iter(drawn["tokens"].values()))
    mine = world.client.get("/api/v1/expert/declarations", headers=token).json()["declarations"]
    assert {d["id"] for d in mine} == set(drawn["ids"])
    opened = world.client.get(f"/api/v1/expert/declarations/{drawn['ids'][0]}", headers=token)
    assert opened.status_code == 200 and "header" in opened.json()["sections"]
    other = world.declaration(world.person(), full_sections(unit), chain=[unit, committee], state="passed")
    assert world.client.get(f"/api/v1/expert/declarations/{other}", headers=token).status_code == 404
    assert world.client.get(f"/api/v1/declarations/{other}", headers=token).status_code == 404
    applicant = world.bearer(world.person())
    assert world.client.get("/api/v1/expert/declarations", headers=applicant).status_code == 403


def test_a_vote_without_quorum_is_refused(world: World, svc: Any, drawn: dict[str, Any]) -> None:
    quorum = fraction(svc.bundle.committee["vote"]["quorum"])
    needed = math.ceil(quorum * drawn["count"])
    experts = [e["id"] for e in drawn["session"]["experts"]]
    url = f"/api/v1/review-sessions/{drawn['session']['id']}/vote"
    refused = world.client.post(url, json={"attending": experts[: needed - 1]}, headers=drawn["office"])
    assert refused.status_code == 409 and refused.json()["errors"][0]["code"] == "vote_no_quorum"
    assert world.client.post(url, json={"attending": ["someone"]}, headers=drawn["office"]).status_code == 422
    assert world.client.post(url, json={"attending": experts[:needed]}, headers=drawn["office"]).status_code == 201


def test_agreement_just_under_the_threshold_fails_and_at_it_passes(
    world: World, svc: Any, drawn: dict[str, Any]
) -> None:
    spec = svc.bundle.committee["vote"]
    quorum, threshold = fraction(spec["quorum"]), fraction(spec["threshold"])
    experts = [e["id"] for e in drawn["session"]["experts"]]
    attending = experts[: math.ceil(quorum * drawn["count"])]
    session = drawn["session"]["id"]
    assert (
        world.client.post(
            f"/api/v1/review-sessions/{session}/vote", json={"attending": attending}, headers=drawn["office"]
        ).status_code
        == 201
    )
    enough = math.ceil(threshold * len(attending))
    first, second = drawn["ids"]
    others = [c for c in spec["choices"] if c != spec["agree"]]
    for i, expert in enumerate(attending):
        token = drawn["tokens"][expert]
        for declaration, agree_count in ((first, enough - 1), (second, enough)):
            choice = spec["agree"] if i < agree_count else others[i % len(others)]
            cast = world.client.post(
                f"/api/v1/expert/sessions/{session}/ballots",
                json={"declaration_id": declaration, "choice": choice},
                headers=token,
            )
            assert cast.status_code == 201, cast.text
    twice = world.client.post(
        f"/api/v1/expert/sessions/{session}/ballots",
        json={"declaration_id": first, "choice": spec["agree"]},
        headers=drawn["tokens"][attending[0]],
    )
    assert twice.status_code == 409
    absent = next(e for e in experts if e not in attending)
    assert (
        world.client.post(
            f"/api/v1/expert/sessions/{session}/ballots",
            json={"declaration_id": first, "choice": spec["agree"]},
            headers=drawn["tokens"][absent],
        ).status_code
        == 404
    )
    tally = world.client.get(f"/api/v1/review-sessions/{session}/vote", headers=drawn["office"])
    body = tally.json()
    result = {t["declaration_id"]: t for t in body["tallies"]}
    assert result[first]["counts"][spec["agree"]] == enough - 1 and result[first]["passes"] is False
    assert result[second]["counts"][spec["agree"]] == enough and result[second]["passes"] is True
    assert body["attending"] == len(attending)
    assert not any(expert in tally.text for expert in experts)  # tallies only, nobody's ballot


def test_the_demo_has_an_expert_pool_sessions_in_every_stage_and_an_expert_login(world: World, svc: Any) -> None:
    from runtime.demo.seed import seed_demo

    accounts = seed_demo(svc)
    if not any(a["role"] == "expert" for a in accounts):
        pytest.skip("no open notice: the demo has no declarations to review")
    sessions = world.db().execute("SELECT id, drawn_at FROM review_sessions").fetchall()
    assert len(sessions) == 3 and sum(1 for s in sessions if s["drawn_at"]) == 2  # one only set up
    votes = world.db().execute("SELECT closed_at FROM session_votes").fetchall()
    assert sorted(bool(v["closed_at"]) for v in votes) == [False, True]  # one open, one closed
    assert world.db().execute("SELECT COUNT(*) AS n FROM ballots").fetchone()["n"] > 0
    assert world.db().execute("SELECT COUNT(*) AS n FROM expert_opinions").fetchone()["n"] == 1
