"""Expert opinions (COM-3): an assigned expert records an opinion and a score (bounded by
policy) on each assigned declaration while the session is open; an unassigned one is 404;
after the vote closes nothing more is taken; the office sees the opinions signed."""

from __future__ import annotations

from typing import Any

from documents_helpers import World, full_sections


def opinion_url(declaration: str) -> str:
    return f"/api/v1/expert/declarations/{declaration}/opinion"


def spec(svc: Any) -> dict[str, Any]:
    found: dict[str, Any] = svc.bundle.committee["opinions"]
    return found


def test_an_assigned_expert_records_an_opinion_and_a_score_the_office_sees_it_signed(
    world: World, svc: Any, drawn: dict[str, Any]
) -> None:
    expert_id, token = next(iter(drawn["tokens"].items()))
    declaration = drawn["ids"][0]
    score = spec(svc)["score"]["max"]
    saved = world.client.put(
        opinion_url(declaration), json={"opinion": "业绩突出,同意推荐", "score": score}, headers=token
    )
    assert saved.status_code == 200 and saved.json()["score"] == score
    replaced = world.client.put(opinion_url(declaration), json={"opinion": "复核后维持", "score": score}, headers=token)
    assert replaced.status_code == 200
    opened = world.client.get(f"/api/v1/expert/declarations/{declaration}", headers=token).json()
    assert opened["opinion"]["opinion"] == "复核后维持"
    seen = world.client.get(
        f"/api/v1/review-sessions/{drawn['session']['id']}/opinions", headers=drawn["office"]
    ).json()["opinions"]
    assert [(o["declaration_id"], o["expert_id"], o["opinion"]) for o in seen] == [
        (declaration, expert_id, "复核后维持")
    ]


def test_an_opinion_is_bounded_by_the_policys_length_and_score_range(
    world: World, svc: Any, drawn: dict[str, Any]
) -> None:
    token = next(iter(drawn["tokens"].values()))
    declaration = drawn["ids"][0]
    limit = int(spec(svc)["max_length"])
    low, high = spec(svc)["score"]["min"], spec(svc)["score"]["max"]
    for body, path in (
        ({"opinion": "", "score": high}, "/opinion"),
        ({"opinion": "长" * (limit + 1), "score": high}, "/opinion"),
        ({"opinion": "可", "score": high + 1}, "/score"),
        ({"opinion": "可", "score": low - 1}, "/score"),
        ({"opinion": "可", "score": True}, "/score"),
        ({"opinion": "可"}, "/score"),
        ({"opinion": "可", "score": "²"}, "/score"),  # a digit to str.isdigit(), not to int()
        ({"opinion": "可", "score": "-²"}, "/score"),
        ({"opinion": "可", "score": "9" * 5000}, "/score"),  # past int()'s 4,300 digits
    ):
        refused = world.client.put(opinion_url(declaration), json=body, headers=token)
        assert refused.status_code == 422 and refused.json()["errors"][0]["path"] == path, body
    assert (
        world.client.put(
            opinion_url(declaration), json={"opinion": "长" * limit, "score": str(low)}, headers=token
        ).status_code
        == 200
    )


def test_an_expert_cannot_give_an_opinion_on_an_unassigned_declaration(
    world: World, unit: str, committee: str, drawn: dict[str, Any]
) -> None:
    token = next(iter(drawn["tokens"].values()))
    other = world.declaration(world.person(), full_sections(unit), chain=[unit, committee], state="passed")
    refused = world.client.put(opinion_url(other), json={"opinion": "可", "score": 80}, headers=token)
    assert refused.status_code == 404
    assert world.one("SELECT COUNT(*) AS n FROM expert_opinions")["n"] == 0


def test_no_opinion_and_no_ballot_is_taken_once_the_vote_is_closed(
    world: World, svc: Any, drawn: dict[str, Any]
) -> None:
    experts = [e["id"] for e in drawn["session"]["experts"]]
    session = drawn["session"]["id"]
    office = drawn["office"]
    assert world.client.post(f"/api/v1/review-sessions/{session}/vote/close", headers=office).status_code == 409
    world.client.post(f"/api/v1/review-sessions/{session}/vote", json={"attending": experts}, headers=office)
    closed = world.client.post(f"/api/v1/review-sessions/{session}/vote/close", headers=office)
    assert closed.status_code == 200 and closed.json()["closed_at"]
    token = drawn["tokens"][experts[0]]
    high = spec(svc)["score"]["max"]
    late = world.client.put(opinion_url(drawn["ids"][0]), json={"opinion": "可", "score": high}, headers=token)
    assert late.status_code == 409 and late.json()["errors"][0]["code"] == "session_not_open"
    agree = svc.bundle.committee["vote"]["agree"]
    ballot = world.client.post(
        f"/api/v1/expert/sessions/{session}/ballots",
        json={"declaration_id": drawn["ids"][0], "choice": agree},
        headers=token,
    )
    assert ballot.status_code == 409 and ballot.json()["errors"][0]["code"] == "vote_closed"


def test_only_the_sessions_office_reads_its_opinions(world: World, drawn: dict[str, Any]) -> None:
    stranger = world.bearer(
        world.org_account(world.org("威海市其他评委会", kinds=("department",)), role="committee_office")
    )
    url = f"/api/v1/review-sessions/{drawn['session']['id']}/opinions"
    assert world.client.get(url, headers=stranger).status_code == 404
    token = next(iter(drawn["tokens"].values()))
    assert world.client.get(url, headers=token).status_code == 403
