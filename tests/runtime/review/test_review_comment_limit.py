"""A reviewer's comment (REV-1, REV-4) is bounded by platform.yaml's limits.comment_max_chars:
one over is refused with the limit and the length in Chinese and nothing changes; the page's
comment boxes carry the same limit."""

from __future__ import annotations

from chain_helpers import ARCHIVES_MIDDLE, World, page_login
from runtime_support import build_json, message


def test_a_comment_over_the_policys_limit_is_refused_and_one_at_it_is_taken(world: World) -> None:
    most = int(build_json("platform.json")["limits"]["comment_max_chars"])
    unit = world.permitted_unit("威海市意见长度测试馆", "371000")
    applicant = world.applicant()
    assert unit.org_id
    declaration = applicant.new_declaration(unit.org_id, ARCHIVES_MIDDLE)
    assert applicant.submit(declaration).status_code == 200
    page = page_login(world, unit.login).get(f"/review/{declaration}")
    assert f'maxlength="{most}"' in page.text
    before = world.one("SELECT state, version FROM declarations WHERE id = ?", (declaration,))
    refused = unit.return_(declaration, "长" * (most + 1))
    assert refused.status_code == 422
    error = refused.json()["errors"][0]
    assert (error["path"], error["code"]) == ("/comment", "comment_too_long")
    assert error["message"] == message("comment_too_long", limit=most, length=most + 1)
    assert world.one("SELECT state, version FROM declarations WHERE id = ?", (declaration,)) == before
    taken = unit.return_(declaration, "长" * most)
    assert taken.status_code == 200 and taken.json()["state"] == "returned"
