"""Declaration rules and eligibility tables parse, type-check and agree with their examples."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator import declaration_shape
from generator.declaration_rules import compiled_level, compiled_rule
from generator.errors import CATALOG, Diagnostic, fill, pointer, suggest
from generator.loader import Document
from generator.model import Model
from generator.project import Project
from vocabulary.declaration_rules import context_data, run_declaration_rules
from vocabulary.eligibility import assess
from vocabulary.expr_parse import ExprSyntaxError, parse
from vocabulary.expr_types import ROWS_KEY, ExprTypeError, Type, infer

_TYPE_CODES = {"type": "E351", "name": "E352", "value": "E353"}


def _diag_inside(
    project: Project,
    doc: Document,
    path: tuple[Any, ...],
    code: str,
    offset: int,
    suggestion: str | None,
    **values: Any,
) -> None:
    """A diagnostic whose caret points inside an expression, not at its first character."""
    mark = doc.mark(path)
    source = doc.source_line(mark.line)
    quoted = source[mark.column - 1 : mark.column] in ("'", '"')
    entry = CATALOG[code]
    project.report.add(
        Diagnostic(
            code=code,
            file=doc.relpath,
            line=mark.line,
            column=mark.column + offset - 1 + (1 if quoted else 0),
            path=pointer(path),
            message=fill(entry.template, values),
            hint=fill(entry.hint, values),
            source=source,
            suggestion=suggestion,
        )
    )


def typed(
    project: Project,
    doc: Document,
    path: tuple[Any, ...],
    text: str,
    shape: Mapping[str, Any],
    row: Mapping[str, Any] | None = None,
) -> Type | None:
    """The expression's type, or None after reporting why it has none."""
    try:
        node = parse(text)
    except ExprSyntaxError as exc:
        _diag_inside(project, doc, path, "E350", exc.column, None, detail=str(exc))
        return None
    try:
        return infer(node, shape, row)
    except ExprTypeError as exc:
        _diag_inside(project, doc, path, _TYPE_CODES[exc.kind], exc.column, exc.suggestion, detail=str(exc))
        return None


def _condition(
    project: Project, doc: Document, path: tuple[Any, ...], text: str, shape: Mapping[str, Any], row: Any
) -> bool:
    found = typed(project, doc, path, text, shape, row)
    if found is None:
        return False
    if found.name != "bool":
        project.diag("E354", doc, path, key=path[-1], found=str(found))
        return False
    return True


def _rule(project: Project, doc: Document, path: tuple[Any, ...], rule: Mapping[str, Any], shape: Any) -> bool:
    row = None
    for_each = rule.get("for_each")
    if for_each:
        section = shape.get(for_each)
        if not isinstance(section, Mapping) or ROWS_KEY not in section:
            rows_sections = [k for k, v in shape.items() if isinstance(v, Mapping) and ROWS_KEY in v]
            project.diag(
                "E355",
                doc,
                (*path, "for_each"),
                suggestion=suggest(for_each, rows_sections),
                detail=f"'{for_each}' is not a section with rows; those are: {', '.join(rows_sections)}",
            )
            return False
        row = section[ROWS_KEY]
        if rule["at"] not in row:
            project.diag(
                "E355",
                doc,
                (*path, "at"),
                suggestion=suggest(rule["at"], row),
                detail=f"'{rule['at']}' is not a field of a {for_each} row",
            )
            return False
    else:
        leaf = declaration_shape.field_at(shape, rule["at"])
        if leaf is None or rule["at"].split(".")[0] in ("account", "declaration"):
            project.diag("E355", doc, (*path, "at"), detail=f"'{rule['at']}' is not a field of a declaration section")
            return False
    ok = _condition(project, doc, (*path, "check"), rule["check"], shape, row)
    if rule.get("when"):
        ok = _condition(project, doc, (*path, "when"), rule["when"], shape, row) and ok
    return ok


def _examples(project: Project, doc: Document, path: tuple[Any, ...], rule: Mapping[str, Any], model: Model) -> None:
    examples = rule.get("examples") or {}
    for which in ("valid", "invalid"):
        if not examples.get(which):
            project.diag("E318", doc, path, kind=rule["id"], which=which)
    context = model.example_context()
    shape = declaration_shape.plain(declaration_shape.rich(model))
    compiled = compiled_rule(rule)
    for which, expect in (("valid", False), ("invalid", True)):
        for i, example in enumerate(examples.get(which) or []):
            if not isinstance(example, Mapping):
                outcome = "is not a mapping (write sections by id: header: {…}, account: {…})"
                project.diag("E304", doc, (*path, "examples", which, i), which=which, index=i + 1, outcome=outcome)
                continue
            sections = {k: v for k, v in example.items() if k != "account"}
            data = context_data(sections, example.get("account") or {}, context.year, context.today)
            found = list(run_declaration_rules([compiled], shape, data))
            if bool(found) != expect:
                outcome = f"breaks the rule at {found[0].pointer}" if found else "does not break the rule"
                project.diag("E304", doc, (*path, "examples", which, i), which=which, index=i + 1, outcome=outcome)


def _rules_file(project: Project, doc: Document, model: Model, shape: Mapping[str, Any]) -> None:
    data = doc.data if isinstance(doc.data, dict) else {}
    for i, rule in enumerate(data.get("rules") or []):
        if isinstance(rule, Mapping) and _rule(project, doc, ("rules", i), rule, shape):
            _examples(project, doc, ("rules", i), rule, model)


def _table(project: Project, doc: Document, model: Model, shape: Mapping[str, Any]) -> None:
    data = doc.data if isinstance(doc.data, dict) else {}
    series_known = project.dictionary_values("series")
    levels_known = project.dictionary_values("levels")
    for i, series in enumerate(data.get("series") or []):
        if series not in series_known:
            project.diag(
                "E356",
                doc,
                ("series", i),
                suggestion=suggest(series, series_known),
                what="series",
                name=series,
                known=series_known,
            )
    for name, m in (data.get("measures") or {}).items():
        typed(project, doc, ("measures", name, "value"), m["value"], shape)
    for level_name, level in (data.get("levels") or {}).items():
        path = ("levels", level_name)
        if level_name not in levels_known:
            project.diag(
                "E356",
                doc,
                path,
                at_key=True,
                suggestion=suggest(level_name, levels_known),
                what="level",
                name=level_name,
                known=levels_known,
            )
            continue
        types: dict[str, Type | None] = {}
        for name, m in (data.get("measures") or {}).items():
            types[name] = infer_quiet(m["value"], shape)
        for name, m in (level.get("measures") or {}).items():
            types[name] = typed(project, doc, (*path, "measures", name, "value"), m["value"], shape)
        ok = _rows(project, doc, path, level, types)
        if ok and all(t is not None for t in types.values()):
            _table_examples(project, doc, path, compiled_level(data, level), level, model)


def infer_quiet(text: str, shape: Mapping[str, Any]) -> Type | None:
    try:
        return infer(parse(text), shape)
    except (ExprSyntaxError, ExprTypeError):
        return None


def _rows(
    project: Project, doc: Document, path: tuple[Any, ...], level: Mapping[str, Any], types: Mapping[str, Type | None]
) -> bool:
    ok = True
    for r, row in enumerate(level.get("rows") or []):
        for name, requirement in (row.get("conditions") or {}).items():
            where = (*path, "rows", r, "conditions", name)
            if name not in types:
                project.diag(
                    "E357", doc, where, at_key=True, suggestion=suggest(name, types), name=name, known=list(types)
                )
                ok = False
                continue
            found = types[name]
            if found is None:
                continue
            numeric = isinstance(requirement, Mapping) and ("at_least" in requirement or "at_most" in requirement)
            if numeric and found.name != "number":
                project.diag("E351", doc, where, detail=f"'{name}' is {found}; at_least/at_most compare numbers")
                ok = False
            options = requirement.get("in") if isinstance(requirement, Mapping) else [requirement]
            for value in options or []:
                if not numeric and found.options is not None and str(value) not in found.options:
                    project.diag(
                        "E353",
                        doc,
                        where,
                        suggestion=suggest(value, found.options),
                        detail=f"'{value}' is not one of {name}'s values: {', '.join(found.options)}",
                    )
                    ok = False
    return ok


def _table_examples(
    project: Project,
    doc: Document,
    path: tuple[Any, ...],
    compiled: Mapping[str, Any],
    level: Mapping[str, Any],
    model: Model,
) -> None:
    examples = level.get("examples") or {}
    context = model.example_context()
    shape = declaration_shape.plain(declaration_shape.rich(model))
    for which, expect_met in (("valid", True), ("invalid", False)):
        if not examples.get(which):
            project.diag("E318", doc, path, kind=f"eligibility {path[-1]}", which=which)
        for i, example in enumerate(examples.get(which) or []):
            if not isinstance(example, Mapping):
                continue
            sections = {k: v for k, v in example.items() if k != "account"}
            data = context_data(sections, example.get("account") or {}, context.year, context.today)
            outcome = assess(compiled, shape, data)
            if outcome.met != expect_met:
                row = (outcome.row or {}).get("id", "")
                said = f"meets row '{row}'" if outcome.met else f"meets no row (nearest: '{row}')"
                project.diag("E304", doc, (*path, "examples", which, i), which=which, index=i + 1, outcome=said)


def _computed(project: Project, shape: Mapping[str, Any]) -> None:
    """A computed field's expression is a number, read in its section (and row) scope."""
    for section_id, doc in sorted(project.sections.get(declaration_shape.DECLARATION_FORM, {}).items()):
        data = doc.data if isinstance(doc.data, dict) else {}
        rows: Mapping[str, Any] = data["rows"] if isinstance(data.get("rows"), Mapping) else {}
        row_shape = (shape.get(section_id) or {}).get(ROWS_KEY)
        for where, fields, row in (
            (("fields",), data.get("fields"), None),
            (("rows", "fields"), rows.get("fields"), row_shape),
        ):
            for name, spec in (fields or {}).items():
                if not isinstance(spec, Mapping) or not isinstance(spec.get("computed"), str):
                    continue
                path = (*where, name, "computed")
                found = typed(project, doc, path, spec["computed"], shape, row)
                if found is not None and found.name != "number":
                    project.diag("E351", doc, path, detail=f"a computed field holds a number, found {found}")


def check(model: Model) -> None:
    project = model.project
    _computed(project, declaration_shape.rich(model))
    if not project.rules and not project.eligibility:
        return
    shape = declaration_shape.rich(model)
    for _, doc in sorted(project.rules.items()):
        _rules_file(project, doc, model, shape)
    for _, doc in sorted(project.eligibility.items()):
        _table(project, doc, model, shape)
