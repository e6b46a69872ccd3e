"""What is routed to an organisation (STAT-1, CERT-1) is read from the indexed chain rows (issue 14):
a declaration counts for the organisation its chain ends at, never for one it only passes
through; the certificates list of an issuing office follows the same rule."""

from __future__ import annotations

from typing import Any

from documents_helpers import World, full_sections

from runtime.committee import certificates, statistics
from runtime.declarations import queues

YEAR = 2026


def _office(world: World, org: str) -> Any:
    return world.one("SELECT * FROM accounts WHERE id = ?", (world.org_account(org, role="committee_office"),))


def _ending_at(world: World, org: str) -> set[str]:
    where, params = queues.chain_ends_at(org)
    rows = world.db().execute(f"SELECT d.id FROM declarations d WHERE {where}", tuple(params))
    return {r["id"] for r in rows}


def test_a_declaration_belongs_to_the_end_of_its_chain_not_to_an_organisation_it_passes(
    world: World, unit: str, svc: Any
) -> None:
    middle = world.org("中间主管部门", kinds=("department",))
    end = "weihai_archives"
    through = world.declaration(world.person(), full_sections(unit), chain=[unit, middle, end], reached=2)
    ends_in_middle = world.declaration(world.person(), full_sections(unit), chain=[unit, middle], reached=1)
    assert _ending_at(world, middle) == {ends_in_middle}
    assert _ending_at(world, end) == {through}
    assert _ending_at(world, unit) == set()
    query = statistics.Query(YEAR, "state", {})
    assert statistics.counts(svc, _office(world, middle), query)["total"] == 1
    assert statistics.counts(svc, _office(world, end), query)["total"] == 1


def test_an_issuing_office_lists_the_certificates_its_chains_end_at_and_no_others(
    world: World, unit: str, committee: str, svc: Any
) -> None:
    final = next(k for k, v in svc.bundle.workflow["declaration"]["states"].items() if v.get("final"))
    made = {}
    for chain in ([unit, committee], [unit, committee, "weihai_archives"]):
        made[chain[-1]] = world.declaration(
            world.person(),
            full_sections(unit),
            chain=chain,
            state=final,
            certificate_no=certificates.new_number(svc, YEAR),
            holder=chain[-1],
        )
    for org, declaration_id in made.items():
        assert [r["id"] for r in certificates.issued_by(svc, _office(world, org)).rows] == [declaration_id]
