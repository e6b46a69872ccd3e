"""Results before they are final (COM-5, PUB-2): a recorded result is published first, can be
corrected with a reason (kept in the history), and becomes final — with its certificate —
only when its publicity has lasted the policy's working days; after that it cannot change."""

from __future__ import annotations

from typing import Any

import pytest
from chain_helpers import ARCHIVES_MIDDLE, Actor, World


@pytest.fixture
def recorded(chain_world: World) -> tuple[World, str]:
    """A declaration the committee office has just recorded as 评审通过."""
    world = chain_world
    unit = world.permitted_unit("威海市结果测试单位", "371000")
    committee = world.actor("weihai_archives")
    world.approved_path(unit, committee, ARCHIVES_MIDDLE)
    applicant = world.applicant()
    assert unit.org_id
    declaration = applicant.new_declaration(unit.org_id, ARCHIVES_MIDDLE)
    assert applicant.submit(declaration).status_code == 200
    assert unit.pass_(declaration).status_code == 200
    assert unit.report(ARCHIVES_MIDDLE, declaration).status_code == 200
    assert committee.pass_(declaration).status_code == 200
    assert committee.result(declaration, True).json()["state"] == "pass_publicity"
    return world, declaration


def step(actor: Actor, declaration: str, transition: str, comment: str = "") -> Any:
    return actor.post(f"/api/v1/declarations/{declaration}/transitions/{transition}", json={"comment": comment})


def test_a_result_recorded_by_mistake_is_corrected_with_a_reason_and_audited(recorded: tuple[World, str]) -> None:
    world, declaration = recorded
    committee = world.actor("weihai_archives")
    no_reason = step(committee, declaration, "correct_to_fail")
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["path"] == "/comment"
    corrected = step(committee, declaration, "correct_to_fail", "误录为通过,表决结果为未通过")
    assert corrected.status_code == 200 and corrected.json()["state"] == "fail_publicity"
    history = committee.get(f"/api/v1/declarations/{declaration}/history").json()["history"]
    last = history[-1]
    assert last["transition"] == "correct_to_fail" and last["comment"] == "误录为通过,表决结果为未通过"
    assert last["actor_id"] == committee.account_id


def test_a_result_is_final_only_after_its_publicity_and_then_cannot_be_corrected(
    recorded: tuple[World, str],
) -> None:
    world, declaration = recorded
    committee = world.actor("weihai_archives")
    early = committee.confirm(declaration)
    assert early.status_code == 409 and early.json()["errors"][0]["code"] == "too_early"
    world.wait_out_publicity()
    committee = world.actor("weihai_archives")
    final = committee.confirm(declaration)
    assert final.status_code == 200 and final.json()["state"] == "approved" and final.json()["certificate_no"]
    late = step(committee, declaration, "correct_to_fail", "想要更正")
    assert late.status_code == 409


def test_a_correction_starts_the_publicity_again(recorded: tuple[World, str]) -> None:
    world, declaration = recorded
    committee = world.actor("weihai_archives")
    world.wait_out_publicity()
    committee = world.actor("weihai_archives")
    assert step(committee, declaration, "correct_to_fail", "复核后更正").status_code == 200
    assert committee.confirm(declaration, passed=False).status_code == 409
    world.wait_out_publicity("confirm_fail")
    committee = world.actor("weihai_archives")
    final = committee.confirm(declaration, passed=False)
    assert final.status_code == 200 and final.json()["state"] == "rejected" and final.json()["certificate_no"] is None


def test_only_the_organisation_at_the_end_of_the_chain_corrects(recorded: tuple[World, str]) -> None:
    world, declaration = recorded
    applicant_unit = world.actor(
        world.one(
            "SELECT login_name FROM accounts WHERE org_id = (SELECT unit_id FROM declarations WHERE id = ?)",
            (declaration,),
        )["login_name"]
    )
    assert step(applicant_unit, declaration, "correct_to_fail", "x").status_code in (403, 404, 409)
    stranger = world.actor("weihai_education")
    assert step(stranger, declaration, "correct_to_fail", "x").status_code == 404
