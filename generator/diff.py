"""`python -m generator diff --against REV`: what a schema change does to people.

Both trees are compiled; the comparison is of compiled forms, dictionaries,
routing and workflow, so it speaks of what applicants and reviewers will see,
not of YAML lines.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from generator import diff_details, diff_impact, diff_more
from generator.compiler import compile_schemas
from generator.diff_render import APPLICANTS, EVERYONE, REVIEWERS, Change, NoPath, text
from generator.model import Model
from vocabulary.rules import RULE_KINDS

FIELD_KEYS = (
    "title",
    "hint",
    "widget",
    "type",
    "required",
    "format",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "dictionary",
    "or",
    "const",
    "options",
    "options_from",
    "depends_on",
    "frozen",
    "source",
)
FORM_TEXTS = (("title", "title"), ("description", "description"))


def run_diff(
    schemas: Path, against: str, lang: str = "en", data_dir: Path | None = None, database: str | None = None
) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        old_root = Path(tmp) / schemas.name
        try:
            _export(schemas, against, old_root)
        except (subprocess.CalledProcessError, tarfile.TarError) as exc:
            print(f"cannot read {schemas} at {against}: {exc}", file=sys.stderr)
            return 2
        old = compile_schemas(old_root)
        new = compile_schemas(schemas)
    for label, result in (("old", old), ("new", new)):
        if not result.ok or result.model is None:
            print(f"the {label} schemas do not compile:\n{result.report.render()}", file=sys.stderr)
            return 1
    assert old.model is not None and new.model is not None
    changes = list(compare(old.model, new.model))
    rows = diff_impact.census(data_dir, database) if data_dir is not None else []
    if isinstance(rows, str):
        print(text("census_failed", lang, data_dir=data_dir, detail=rows), file=sys.stderr)
        return 2
    version = json.loads(new.artifacts["manifest.json"])["schema_hash"]
    if not changes:
        print(text("no_change", lang, against=against))
    for change in changes:
        print(change.said(lang))
        if data_dir is not None:
            print(diff_impact.impact(change, rows, version, lang))
    return 0


def _export(schemas: Path, rev: str, target: Path) -> None:
    top = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"],
        cwd=schemas,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    prefix = schemas.resolve().relative_to(Path(top).resolve()).as_posix()
    archive = subprocess.run(
        ["git", "archive", "--format=tar", rev, prefix], cwd=top, check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        for member in tar.getmembers():
            if not member.isfile():
                continue
            relative = Path(member.name).relative_to(prefix)
            extracted = tar.extractfile(member)
            if extracted is None:
                continue
            path = target / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(extracted.read())


def compare(old: Model, new: Model) -> Iterator[Change]:
    yield from _forms(old, new)
    yield from _dictionaries(old, new)
    yield from _routing(old, new)
    yield from _workflow(old, new)
    yield from diff_more.layouts(old, new)
    yield from _notices(old, new)
    yield from diff_details.texts(old.project.data("messages"), new.project.data("messages"))


def _all_forms(model: Model) -> dict[str, dict[str, Any]]:
    forms = {k: v for k, v in model.forms.items() if v["kind"] != "composite"}
    for form_id, sections in model.sections.items():
        for section_id, compiled in sections.items():
            forms[f"{form_id}/{section_id}"] = compiled
    return forms


def _forms(old: Model, new: Model) -> Iterator[Change]:
    before, after = _all_forms(old), _all_forms(new)
    for name in sorted(set(after) - set(before)):
        yield Change("form_added", APPLICANTS, name=name, title=after[name]["title"])
    for name in sorted(set(before) - set(after)):
        yield Change("form_removed", APPLICANTS, name=name, title=before[name]["title"])
    for name in sorted(set(before) & set(after)):
        a, b = before[name], after[name]
        for key, what in FORM_TEXTS:
            if a.get(key) != b.get(key):
                yield Change("form_text", APPLICANTS, name=name, what=what, old=a.get(key) or "", new=b.get(key) or "")
        yield from _field_changes(name, b["title"], _fields(a), _fields(b))
        ra, rb = a.get("rows") or {}, b.get("rows") or {}
        if ra and rb and ra.get("title") != rb.get("title"):
            yield Change(
                "rows_title",
                APPLICANTS,
                name=name,
                form=b["title"],
                old=ra.get("title") or "",
                new=rb.get("title") or "",
            )
        for key in ("min", "max"):
            if ra.get(key) != rb.get(key):
                yield Change(f"rows_{key}", APPLICANTS, name=name, title=b["title"], old=ra.get(key), new=rb.get(key))
        old_rules = {_rule_key(r): r for r in a["rules"]}
        new_rules = {_rule_key(r): r for r in b["rules"]}
        for key in sorted(new_rules.keys() - old_rules.keys()):
            r = new_rules[key]
            yield Change("rule_added", APPLICANTS, name=name, form=b["title"], **_rule(r))
        for key in sorted(old_rules.keys() - new_rules.keys()):
            r = old_rules[key]
            yield Change("rule_removed", APPLICANTS, name=name, form=b["title"], **_rule(r))
        for key in sorted(old_rules.keys() & new_rules.keys()):
            if old_rules[key] != new_rules[key]:
                yield from diff_details.rule_changes(name, b["title"], old_rules[key], new_rules[key])
        yield from diff_details.field_messages(name, a, b)
        ua = {u["kind"]: u for u in a["uploads"]}
        ub = {u["kind"]: u for u in b["uploads"]}
        for kind in sorted(ub.keys() - ua.keys()):
            yield Change("upload_added", APPLICANTS, name=name, form=b["title"], kind=kind, title=ub[kind]["title"])
        for kind in sorted(ua.keys() - ub.keys()):
            yield Change("upload_removed", APPLICANTS, name=name, form=b["title"], kind=kind, title=ua[kind]["title"])
        for kind in sorted(ua.keys() & ub.keys()):
            for key in ("title", "types", "max_size_kb", "max_files", "required", "per_row"):
                if ua[kind].get(key) != ub[kind].get(key):
                    yield Change(
                        "upload_key",
                        APPLICANTS,
                        name=name,
                        form=b["title"],
                        kind=kind,
                        key=key,
                        old=ua[kind].get(key),
                        new=ub[kind].get(key),
                    )


def _fields(compiled: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every field by path: top-level ones, the members of groups (group.member) and the
    columns of repeatable rows (rows.column)."""
    fields: dict[str, dict[str, Any]] = {}
    for d in compiled["fields"]:
        fields[d["id"]] = d
        for member in d.get("fields") or []:
            fields[f"{d['id']}.{member['id']}"] = member
    for d in (compiled.get("rows") or {}).get("fields") or []:
        fields[f"rows.{d['id']}"] = d
    return fields


def _field_changes(name: str, form: str, before: dict[str, Any], after: dict[str, Any]) -> Iterator[Change]:
    for field in [f for f in after if f not in before]:
        d = after[field]
        key = "field_added_required" if d["required"] else "field_added_optional"
        yield Change(key, APPLICANTS, name=name, form=form, field=field, title=d["title"])
    for field in [f for f in before if f not in after]:
        yield Change("field_removed", APPLICANTS, name=name, form=form, field=field, title=before[field]["title"])
    for field in [f for f in after if f in before]:
        for key in FIELD_KEYS:
            a, b = before[field].get(key), after[field].get(key)
            if a == b:
                continue
            if key == "options":
                added = [o for o in b or [] if o not in (a or [])]
                removed = [o for o in a or [] if o not in (b or [])]
                change = [("added", added), ("removed", removed)]
                yield Change("field_choices", APPLICANTS, name=name, form=form, field=field, change=change)
            else:
                yield Change("field_key", APPLICANTS, name=name, form=form, field=field, key=key, old=a, new=b)


def _rule(rule: dict[str, Any]) -> dict[str, Any]:
    return {"kind": rule["kind"], "rule": rule["rule"], "message": rule["message"]}


def _rule_key(rule: dict[str, Any]) -> str:
    """What tells two rules of a form apart: kind, the fields named and the conditions.

    Three yearly-minimum rules on the same columns differ only by `where`."""
    params = rule["params"]
    kind = RULE_KINDS.get(rule["kind"])
    named = kind.fields_named(params) if kind else ()
    conditions = [rule.get("when"), *(params.get(p) for p in (kind.condition_params if kind else ()))]
    return f"{rule['kind']}:{','.join(named)}:{json.dumps(conditions, ensure_ascii=False, sort_keys=True)}"


def _dictionaries(old: Model, new: Model) -> Iterator[Change]:
    a, b = old.dictionaries(), new.dictionaries()
    for name in sorted(set(b) - set(a)):
        yield Change("list_added", EVERYONE, name=name)
    for name in sorted(set(a) - set(b)):
        yield Change("list_removed", EVERYONE, name=name)
    for name in sorted(set(a) & set(b)):
        ea = {e["value"]: e for e in a[name]}
        eb = {e["value"]: e for e in b[name]}
        for value in [v for v in eb if v not in ea]:
            yield Change("entry_added", EVERYONE, name=name, value=value)
        for value in [v for v in ea if v not in eb]:
            yield Change("entry_removed", EVERYONE, name=name, value=value)
        for value in [v for v in eb if v in ea and ea[v] != eb[v]]:
            yield from diff_more.entry_changes(name, value, ea[value], eb[value])


def _routing(old: Model, new: Model) -> Iterator[Change]:
    def cells(model: Model) -> dict[tuple[str, str, str], str]:
        result = {}
        for table_id, doc in model.project.routing.items():
            for series, row in ((doc.data or {}).get("cells") or {}).items():
                for level, org in (row or {}).items():
                    if org is not None:
                        result[(table_id, series, level)] = org
        return result

    a, b = cells(old), cells(new)
    for key in sorted(set(a) | set(b)):
        if a.get(key) != b.get(key):
            table, series, level = key
            yield Change(
                "routing_cell",
                REVIEWERS,
                {"series": series, "level": level},
                table=table,
                series=series,
                level=level,
                old=a.get(key) or NoPath(),
                new=b.get(key) or NoPath(),
            )


def _workflow(old: Model, new: Model) -> Iterator[Change]:
    for name in sorted(set(old.project.workflow) | set(new.project.workflow)):
        a = (old.project.workflow.get(name) or _Empty()).data or {}
        b = (new.project.workflow.get(name) or _Empty()).data or {}
        sa, sb = a.get("states") or {}, b.get("states") or {}
        for state in [s for s in sb if s not in sa]:
            yield Change("state_added", REVIEWERS, name=name, state=state, title=sb[state].get("title"))
        for state in [s for s in sa if s not in sb]:
            yield Change("state_removed", REVIEWERS, {"states": [state]}, name=name, state=state)
        ta = {t.get("id"): t for t in a.get("transitions") or []}
        tb = {t.get("id"): t for t in b.get("transitions") or []}
        for tid in [t for t in tb if t not in ta]:
            t = tb[tid]
            yield Change(
                "step_added",
                REVIEWERS,
                {"states": list(t.get("from") or [])},
                name=name,
                id=tid,
                title=t.get("title"),
                sources="/".join(t.get("from") or []),
                to=t.get("to"),
                by="/".join(t.get("by") or []),
            )
        for tid in [t for t in ta if t not in tb]:
            yield Change("step_removed", REVIEWERS, {"states": list(ta[tid].get("from") or [])}, name=name, id=tid)
        for tid in [t for t in tb if t in ta and ta[t] != tb[t]]:
            yield from diff_details.step_changes(name, tid, ta[tid], tb[tid])


class _Empty:
    data: Any = None


def _notices(old: Model, new: Model) -> Iterator[Change]:
    yield from diff_details.notices(
        old.project.data("platform").get("notices") or [], new.project.data("platform").get("notices") or []
    )
