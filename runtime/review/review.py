"""Review and reporting (REV-1..5) on top of the workflow engine.

Every step is a transition of schemas/workflow/declaration.yaml taken by the organisation
holding the declaration; this module adds what the engine cannot know: which transitions
the API's fixed verbs mean, the certificate number on a pass, reporting a batch, and the
history as people read it.
"""

from __future__ import annotations

from typing import Any

from runtime.committee import certificates
from runtime.declarations import bounds, concurrency, declarations, queues
from runtime.notifications import outbox
from runtime.policy import versions
from runtime.review import workflow
from runtime.storage import loads
from runtime.storage.rows import Account, Declaration, declaration_row
from runtime.web.http import HttpError, Services

# The API's verbs (API.md) name these transitions of the workflow schema.
PASS = "pass"
RETURN = "return"
REPORT = "report"
RESULT = {True: "record_pass", False: "record_fail"}
# COM-5, PUB-2: a recorded result becomes final by these, after its publicity
CONFIRM = {True: "confirm_pass", False: "confirm_fail"}
CERTIFIED = CONFIRM[True]  # taking it gives the declaration its certificate number (CERT-1)

MAX_BATCH = 500


def _error(svc: Services, status: int, code: str, path: str = "", rule: str = "REV-1", **values: object) -> HttpError:
    message = svc.bundle.text(code, **values)
    errors = [{"path": path, "code": code, "message": message, "rule": rule}] if path else None
    return HttpError(status, code, message, errors=errors)


def _organisation(svc: Services, account: Account) -> None:
    if account["kind"] != "organisation":
        raise _error(svc, 403, "forbidden")


def clean_input(svc: Services, comment: Any, sections: Any) -> tuple[str, list[str] | None]:
    if comment is None:
        comment = ""
    if not isinstance(comment, str):
        raise _error(svc, 422, "bad_request", "/comment")
    most = bounds.limit(svc, "comment_max_chars")
    if len(comment) > most:
        raise _error(svc, 422, "comment_too_long", "/comment", limit=most, length=len(comment))
    if sections in (None, []):
        return comment.strip(), None
    known = {f.id for f in svc.bundle.declaration_sections()}
    if not isinstance(sections, list) or not all(isinstance(s, str) and s in known for s in sections):
        raise _error(svc, 422, "unknown_section", "/sections", rule="REV-5")
    return comment.strip(), list(dict.fromkeys(sections))


def act(
    svc: Services,
    account: Account,
    declaration_id: str,
    transition_id: str,
    *,
    comment: Any = "",
    sections: Any = None,
    expected_version: int | str | None = None,
) -> Declaration:
    """One review step by the holding organisation; 404 for a declaration it never held.
    With expected_version (If-Match), concurrency.StaleVersion when it changed meanwhile."""
    _organisation(svc, account)
    svc = versions.scoped(svc, declarations.load(svc, declaration_id, account))
    if workflow.transition(svc, transition_id) is None:
        raise _error(svc, 404, "unknown_transition")
    text, chosen = clean_input(svc, comment, sections)
    with svc.storage.transaction():
        fresh = svc.storage.declaration(declaration_id)
        assert fresh is not None
        concurrency.check(int(fresh["version"]), expected_version)
        return _take(svc, fresh, account, transition_id, text, chosen)


def _take(
    svc: Services,
    declaration: Declaration,
    account: Account,
    transition_id: str,
    comment: str,
    sections: list[str] | None,
) -> Declaration:
    svc = versions.scoped(svc, declaration)
    step = workflow.transition(svc, transition_id)
    if step is None or account["role"] not in step["by"]:
        raise _error(svc, 403, "forbidden")
    if not workflow.holds(declaration, account):
        raise _error(svc, 409, "not_holder")
    updated = workflow.apply(svc, declaration, account, transition_id, comment=comment, sections=sections)
    if transition_id == CERTIFIED and not updated["certificate_no"]:
        number = next_certificate_no(svc, int(updated["year"]))
        svc.storage.execute("UPDATE declarations SET certificate_no = ? WHERE id = ?", (number, updated["id"]))
        updated["certificate_no"] = number
        outbox.on_certificate(svc, updated)
    return updated


def next_certificate_no(svc: Services, year: int) -> str:
    """Not guessable in sequence (COM-5): the policy's prefix and a random part."""
    return certificates.new_number(svc, year)


def result(svc: Services, account: Account, declaration_id: str, passed: Any, comment: Any = "") -> Declaration:
    """The committee office records pass / fail (REV-3)."""
    if not isinstance(passed, bool):
        raise _error(svc, 422, "bad_request", "/passed", rule="REV-3")
    return act(svc, account, declaration_id, RESULT[passed], comment=comment)


def report(svc: Services, account: Account, series: Any, level: Any, ids: Any) -> list[Declaration]:
    """Report the ticked declarations of one series × level one level up (REV-2), all or none."""
    _organisation(svc, account)
    if not isinstance(series, str) or not isinstance(level, str) or not series or not level:
        raise _error(svc, 422, "bad_request", "/series", rule="REV-2")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids) or len(ids) > MAX_BATCH:
        raise _error(svc, 422, "bad_request", "/declaration_ids", rule="REV-2")
    if not ids:
        raise _error(svc, 422, "report_empty", "/declaration_ids", rule="REV-2")
    for declaration_id in ids:
        found = declarations.load(svc, declaration_id, account)
        if (found["series"], found["level"]) != (series, level):
            raise _error(svc, 422, "report_mismatch", "/declaration_ids", rule="REV-2")
    reported = []
    with svc.storage.transaction():
        for declaration_id in dict.fromkeys(ids):
            fresh = svc.storage.declaration(declaration_id)
            assert fresh is not None
            reported.append(_take(svc, fresh, account, REPORT, "", None))
    return reported


def history(svc: Services, declaration_id: str) -> list[dict[str, Any]]:
    """REV-4 as people read it: each step with its title and the states' titles."""
    rows = declarations.history(svc, declaration_id)
    sections = svc.bundle.sections.get("declaration", {})
    for row in rows:
        # the sections a return reopened (REV-5), by the titles the applicant sees
        row["section_titles"] = [sections[s].title if s in sections else s for s in row["sections"] or []]
        step = workflow.transition(svc, row["transition"]) or {}
        row["transition_title"] = step.get("title", row["transition"])
        row["from_title"] = workflow.state_title(svc, row["from_state"]) if row["from_state"] else ""
        row["to_title"] = workflow.state_title(svc, row["to_state"])
    return rows


def queue(
    svc: Services,
    account: Account,
    *,
    series: str = "",
    level: str = "",
    state: str = "",
    held_only: bool = False,
    with_row: bool = False,
) -> list[dict[str, Any]]:
    """Declarations the organisation holds or has held, with the applicant's name (and with_row,
    the stored row under `_row`, for the guards a page asks before offering a step). Read from
    the indexed chain rows with the filters in SQL (runtime/declarations/queues.py)."""
    _organisation(svc, account)
    filters = queues.QueueFilter(series=series, level=level, state=state, held_only=held_only)
    result = []
    for raw in queues.each_in_queue(svc, account, filters):
        row = declaration_row(raw)
        item = {**declarations.summary(svc, row), "person_name": raw["person_name"]}
        if with_row:
            item["_row"] = row
        result.append(item)
    return result


def reportable(svc: Services, account: Account, series: str, level: str) -> list[dict[str, Any]]:
    """What the report page offers: held here, of this series × level, in a state `report` leaves."""
    rows = queue(svc, account, series=series, level=level, held_only=True, with_row=True)
    return [row for row in rows if row["state"] in _report_from(versions.scoped(svc, row))]


def report_states(svc: Services) -> tuple[str, ...]:
    """Every state `report` leaves in any policy version this process serves (VER-1): what the
    report page asks the database for, before each row's own version has the last word."""
    found: dict[str, None] = {}
    for bundle in versions.loaded(svc).values():
        for step in (bundle.workflow.get("declaration") or {}).get("transitions") or []:
            if step.get("id") == REPORT:
                found.update(dict.fromkeys(step.get("from") or []))
    return tuple(found)


def can_report_from(svc: Services, row: dict[str, Any]) -> bool:
    """The row is in a state its own version's `report` leaves."""
    return row["state"] in _report_from(versions.scoped(svc, row.get("_row") or row))


def _report_from(svc: Services) -> list[str]:
    return list((workflow.transition(svc, REPORT) or {}).get("from") or [])


def sections_of(svc: Services, declaration_id: str) -> list[dict[str, Any]]:
    stored = declarations.sections(svc, declaration_id)
    return [
        {
            "form": form,
            "doc": (stored.get(form.id) or {}).get("data") or {},
            "template": f"review/declaration/{form.id}.html",
        }
        for form in svc.bundle.declaration_sections()
    ]


def reopened(declaration: Declaration) -> list[str]:
    return list(loads(declaration["reopened"], []) or [])
