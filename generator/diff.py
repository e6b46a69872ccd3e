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

from generator import diff_details
from generator.compiler import compile_schemas
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


def run_diff(schemas: Path, against: str) -> int:
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
    lines = list(compare(old.model, new.model))
    if not lines:
        print(f"no change for applicants or reviewers since {against}")
    for line in lines:
        print(line)
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


def compare(old: Model, new: Model) -> Iterator[str]:
    yield from _forms(old, new)
    yield from _dictionaries(old, new)
    yield from _routing(old, new)
    yield from _workflow(old, new)
    yield from _notices(old, new)
    yield from diff_details.texts(old.project.data("messages"), new.project.data("messages"))


def _all_forms(model: Model) -> dict[str, dict[str, Any]]:
    forms = {k: v for k, v in model.forms.items() if v["kind"] != "composite"}
    for form_id, sections in model.sections.items():
        for section_id, compiled in sections.items():
            forms[f"{form_id}/{section_id}"] = compiled
    return forms


def _forms(old: Model, new: Model) -> Iterator[str]:
    before, after = _all_forms(old), _all_forms(new)
    for name in sorted(set(after) - set(before)):
        yield f"[applicants] form {name} 「{after[name]['title']}」 added"
    for name in sorted(set(before) - set(after)):
        yield f"[applicants] form {name} 「{before[name]['title']}」 removed"
    for name in sorted(set(before) & set(after)):
        a, b = before[name], after[name]
        for key, what in FORM_TEXTS:
            if a.get(key) != b.get(key):
                yield f"[applicants] form {name} {what} 「{a.get(key) or ''}」 → 「{b.get(key) or ''}」"
        yield from _field_changes(name, _fields(a), _fields(b))
        ra, rb = a.get("rows") or {}, b.get("rows") or {}
        if ra and rb and ra.get("title") != rb.get("title"):
            yield f"[applicants] {name}: rows title 「{ra.get('title') or ''}」 → 「{rb.get('title') or ''}」"
        for key, what in (("min", "fewest rows"), ("max", "most rows")):
            if ra.get(key) != rb.get(key):
                yield (f"[applicants] {name} 「{b['title']}」: {what} {ra.get(key)} → {rb.get(key)}")
        old_rules = {_rule_key(r): r for r in a["rules"]}
        new_rules = {_rule_key(r): r for r in b["rules"]}
        for key in sorted(new_rules.keys() - old_rules.keys()):
            r = new_rules[key]
            yield f"[applicants] {name}: new rule {r['kind']} [{r['rule']}] «{r['message']}»"
        for key in sorted(old_rules.keys() - new_rules.keys()):
            r = old_rules[key]
            yield f"[applicants] {name}: rule removed {r['kind']} [{r['rule']}] «{r['message']}»"
        for key in sorted(old_rules.keys() & new_rules.keys()):
            if old_rules[key] != new_rules[key]:
                yield from diff_details.rule_changes(name, old_rules[key], new_rules[key])
        yield from diff_details.field_messages(name, a, b)
        ua = {u["kind"]: u for u in a["uploads"]}
        ub = {u["kind"]: u for u in b["uploads"]}
        for kind in sorted(ub.keys() - ua.keys()):
            yield f"[applicants] {name}: new upload {kind} 「{ub[kind]['title']}」"
        for kind in sorted(ua.keys() - ub.keys()):
            yield f"[applicants] {name}: upload {kind} 「{ua[kind]['title']}」 removed"
        for kind in sorted(ua.keys() & ub.keys()):
            for key in ("title", "types", "max_size_kb", "max_files", "required", "per_row"):
                if ua[kind].get(key) != ub[kind].get(key):
                    yield (f"[applicants] {name}: upload {kind} {key} {ua[kind].get(key)} → {ub[kind].get(key)}")


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


def _field_changes(name: str, before: dict[str, Any], after: dict[str, Any]) -> Iterator[str]:
    for field in [f for f in after if f not in before]:
        d = after[field]
        must = "required — applicants must fill it" if d["required"] else "optional"
        yield f"[applicants] {name}: field {field} 「{d['title']}」 added ({must})"
    for field in [f for f in before if f not in after]:
        yield f"[applicants] {name}: field {field} 「{before[field]['title']}」 removed"
    for field in [f for f in after if f in before]:
        for key in FIELD_KEYS:
            a, b = before[field].get(key), after[field].get(key)
            if a == b:
                continue
            if key == "options":
                added = [o for o in b or [] if o not in (a or [])]
                removed = [o for o in a or [] if o not in (b or [])]
                change = "; ".join(
                    part
                    for part in (
                        f"+{'、'.join(added)}" if added else "",
                        f"-{'、'.join(removed)}" if removed else "",
                    )
                    if part
                )
                yield f"[applicants] {name}: field {field} choices {change}"
            else:
                yield f"[applicants] {name}: field {field} {key} {a} → {b}"


def _rule_key(rule: dict[str, Any]) -> str:
    """What tells two rules of a form apart: kind, the fields named and the conditions.

    Three yearly-minimum rules on the same columns differ only by `where`."""
    params = rule["params"]
    kind = RULE_KINDS.get(rule["kind"])
    named = kind.fields_named(params) if kind else ()
    conditions = [rule.get("when"), *(params.get(p) for p in (kind.condition_params if kind else ()))]
    return f"{rule['kind']}:{','.join(named)}:{json.dumps(conditions, ensure_ascii=False, sort_keys=True)}"


def _dictionaries(old: Model, new: Model) -> Iterator[str]:
    a, b = old.dictionaries(), new.dictionaries()
    for name in sorted(set(b) - set(a)):
        yield f"[everyone] code list {name} added"
    for name in sorted(set(a) - set(b)):
        yield f"[everyone] code list {name} removed"
    for name in sorted(set(a) & set(b)):
        ea = {e["value"]: e for e in a[name]}
        eb = {e["value"]: e for e in b[name]}
        for value in [v for v in eb if v not in ea]:
            yield f"[everyone] code list {name}: + {value}"
        for value in [v for v in ea if v not in eb]:
            yield f"[everyone] code list {name}: - {value}"
        for value in [v for v in eb if v in ea and ea[v] != eb[v]]:
            for key in sorted(set(ea[value]) | set(eb[value])):
                if ea[value].get(key) != eb[value].get(key):
                    yield (f"[everyone] code list {name}: {value} {key} {ea[value].get(key)} → {eb[value].get(key)}")


def _routing(old: Model, new: Model) -> Iterator[str]:
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
            before = a.get(key) or "(no path)"
            after = b.get(key) or "(no path)"
            yield f"[reviewers] routing {table}: {series} × {level}: {before} → {after}"


def _workflow(old: Model, new: Model) -> Iterator[str]:
    for name in sorted(set(old.project.workflow) | set(new.project.workflow)):
        a = (old.project.workflow.get(name) or _Empty()).data or {}
        b = (new.project.workflow.get(name) or _Empty()).data or {}
        sa, sb = a.get("states") or {}, b.get("states") or {}
        for state in [s for s in sb if s not in sa]:
            yield f"[reviewers] workflow {name}: new state {state} 「{sb[state].get('title')}」"
        for state in [s for s in sa if s not in sb]:
            yield f"[reviewers] workflow {name}: state {state} removed"
        ta = {t.get("id"): t for t in a.get("transitions") or []}
        tb = {t.get("id"): t for t in b.get("transitions") or []}
        for tid in [t for t in tb if t not in ta]:
            t = tb[tid]
            yield (
                f"[reviewers] workflow {name}: new step {tid} 「{t.get('title')}」 "
                f"{'/'.join(t.get('from') or [])} → {t.get('to')} by {'/'.join(t.get('by') or [])}"
            )
        for tid in [t for t in ta if t not in tb]:
            yield f"[reviewers] workflow {name}: step {tid} removed"
        for tid in [t for t in tb if t in ta and ta[t] != tb[t]]:
            yield from diff_details.step_changes(name, tid, ta[tid], tb[tid])


class _Empty:
    data: Any = None


def _notices(old: Model, new: Model) -> Iterator[str]:
    yield from diff_details.notices(
        old.project.data("platform").get("notices") or [], new.project.data("platform").get("notices") or []
    )
