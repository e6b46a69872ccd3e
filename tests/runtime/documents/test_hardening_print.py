"""Issue 13, finding 3 (print side): one applicant stopped printing for everyone — a ~4.5 MB
declaration laid out for 60 s and failed, and four in flight held every print slot. Now a
document over the print budget is refused before any layout, and while one applicant's
documents hold their share of the slots another applicant's form is still printed."""

from __future__ import annotations

from contextlib import ExitStack

from documents_helpers import World, full_sections

from runtime.documents.api import printer
from runtime.documents.print_queue import owner_cap


def test_a_declaration_over_the_print_budget_is_refused_before_layout(world: World, unit: str, committee: str) -> None:
    svc = world.client.app.state.services  # type: ignore[attr-defined]
    budget_kb = int(svc.bundle.platform["limits"]["print_max_kb"])
    person = world.person()
    sections = full_sections(unit)
    # stored before the save bounds (or under a laxer policy): more text than the budget
    sections["performance"]["achievements_text"] = "档案" * (budget_kb * 1024 // 6 + 1)
    declaration = world.declaration(person, sections, chain=[unit, committee], holder=unit, reached=0)
    pool = printer(svc).pool
    pool.last_cpu_s = -1.0  # set by every layout a worker answers
    refused = world.client.get(f"/api/v1/declarations/{declaration}/review-form.pdf", headers=world.bearer(person))
    assert refused.status_code == 422
    message = refused.json()["errors"][0]["message"]
    assert message.startswith(svc.bundle.text("print_too_large", limit=budget_kb).split("{size}")[0])
    assert pool.last_cpu_s == -1.0  # no worker was asked to lay it out
    # the page says the same, in Chinese, to a reviewer of the chain
    reviewer = world.browser(world.org_account(unit))
    page = reviewer.get(f"/declarations/{declaration}/review-form.pdf")
    assert page.status_code == 422 and svc.bundle.text("print_too_large", limit=budget_kb)[:12] in page.text


def test_while_one_applicant_holds_its_share_of_the_printers_another_is_served(
    world: World, unit: str, committee: str
) -> None:
    svc = world.client.app.state.services  # type: ignore[attr-defined]
    documents = printer(svc)
    cap = owner_cap(int(svc.bundle.platform["limits"]["print_per_owner"]), documents.slots)
    assert cap < documents.slots  # never every slot for one owner
    heavy, other = world.person(), world.person()
    first = world.declaration(heavy, full_sections(unit), chain=[unit, committee], holder=unit, reached=0)
    second = world.declaration(other, full_sections(unit), chain=[unit, committee], holder=unit, reached=0)
    reviewer = world.bearer(world.org_account(unit))
    with ExitStack() as in_flight:
        for _ in range(cap):  # the heavy applicant's documents, printing now
            in_flight.enter_context(documents.owners.hold(heavy, cap))
        busy = world.client.get(f"/api/v1/declarations/{first}/review-form.pdf", headers=reviewer)
        assert busy.status_code == 429
        assert busy.json()["errors"][0]["message"] == svc.bundle.text("print_busy", limit=cap)
        served = world.client.get(f"/api/v1/declarations/{second}/review-form.pdf", headers=reviewer)
        assert served.status_code == 200 and served.content.startswith(b"%PDF")
    assert documents.owners.busy(heavy) == 0
    again = world.client.get(f"/api/v1/declarations/{first}/review-form.pdf", headers=reviewer)
    assert again.status_code == 200  # its turn once its own documents are done
