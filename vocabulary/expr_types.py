"""Type-checking rule expressions against the shape of a declaration (ELIG-2).

A *shape* describes what names an expression may read: for each section its fields
(``"number"``, ``"text"``, ``"date"``), groups as nested mappings, rows sections as
``{"*rows": {field: kind}}``; plus ``account`` and ``declaration``. A text leaf may
be ``{"kind": "text", "options": [...]}`` so that a literal compared with a coded
field (a dictionary) is checked against the code list at build time.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vocabulary.expr_parse import Binary, Call, ListLit, Literal, Node, Path, Unary

__all__ = ["ROWS_KEY", "ExprTypeError", "Type", "infer", "leaf_kind"]

ROWS_KEY = "*rows"
SCALARS = ("number", "text", "date", "bool")
AGGREGATES = ("count", "sum", "min", "max", "any", "all", "none")


class ExprTypeError(ValueError):
    """The expression does not type-check. ``kind`` is "type", "name" or "value"."""

    def __init__(self, message: str, column: int, kind: str = "type", suggestion: str | None = None) -> None:
        super().__init__(message)
        self.column = column
        self.kind = kind
        self.suggestion = suggestion


@dataclass(frozen=True)
class Type:
    name: str  # number text date bool list rows
    options: tuple[str, ...] | None = None  # text: the allowed values, when coded
    item: str | None = None  # list: the type of its items
    row: Mapping[str, Any] | None = None  # rows: the row's shape
    section: str = ""

    def __str__(self) -> str:
        if self.name == "list":
            return f"list of {self.item}"
        if self.name == "rows":
            return f"rows of {self.section}"
        return self.name


def leaf_kind(leaf: Any) -> str:
    return str(leaf.get("kind")) if isinstance(leaf, Mapping) and "kind" in leaf else str(leaf)


def _leaf_type(leaf: Any, path: str, column: int) -> Type:
    if isinstance(leaf, Mapping) and "kind" not in leaf:
        if ROWS_KEY in leaf:
            return Type("rows", row=leaf[ROWS_KEY], section=path)
        raise ExprTypeError(f"'{path}' is a group of fields; name one of them", column)
    kind = leaf_kind(leaf)
    options = leaf.get("options") if isinstance(leaf, Mapping) else None
    return Type(kind, options=tuple(options) if options else None)


def _resolve(path: Path, shape: Mapping[str, Any], row: Mapping[str, Any] | None) -> Type:
    scope: Mapping[str, Any] = row if row is not None and path.parts[0] in row else shape
    node: Any = scope
    walked: list[str] = []
    for part in path.parts:
        if not isinstance(node, Mapping) or "kind" in node or ROWS_KEY in node:
            if isinstance(node, Mapping) and ROWS_KEY in node:
                raise ExprTypeError(
                    f"'{'.'.join(walked)}' holds rows: read them with count(), sum(), min(), max(), any(), all()"
                    f" or none(), e.g. count({'.'.join(walked)}, {part} == …)",
                    path.column,
                )
            raise ExprTypeError(f"'{'.'.join(walked)}' has no fields", path.column)
        if part not in node:
            known = sorted(k for k in node if k != ROWS_KEY)
            if row is not None and not walked:
                known = sorted(set(known) | set(row))
            close = difflib.get_close_matches(part, known, n=1, cutoff=0.6)
            where = f"in '{'.'.join(walked)}'" if walked else "here"
            # Point at the unknown part itself, not at the start of the path.
            column = path.column + sum(len(p) + 1 for p in walked)
            raise ExprTypeError(
                f"unknown name '{part}' {where}", column, "name", suggestion=close[0] if close else None
            )
        node = node[part]
        walked.append(part)
    return _leaf_type(node, path.text, path.column)


def _literal_type(node: Literal) -> Type:
    if isinstance(node.value, bool):
        return Type("bool")
    if isinstance(node.value, str):
        return Type("text")
    return Type("number")


def _expect(found: Type, wanted: tuple[str, ...], what: str, column: int) -> None:
    if found.name not in wanted:
        raise ExprTypeError(f"{what} must be {' or '.join(wanted)}, found {found}", column)


def _check_literals(coded: Type, other: Node) -> None:
    """A text literal compared with a coded field must be one of its codes."""
    if coded.options is None:
        return
    literals = [other] if isinstance(other, Literal) else list(other.items) if isinstance(other, ListLit) else []
    for literal in literals:
        if isinstance(literal, Literal) and isinstance(literal.value, str) and literal.value not in coded.options:
            close = difflib.get_close_matches(literal.value, coded.options, n=1, cutoff=0.3)
            raise ExprTypeError(
                f"'{literal.value}' is not one of the field's values: {', '.join(coded.options)}",
                literal.column,
                "value",
                suggestion=close[0] if close else None,
            )


def _binary(node: Binary, shape: Mapping[str, Any], row: Mapping[str, Any] | None) -> Type:
    left, right = infer(node.left, shape, row), infer(node.right, shape, row)
    if node.op in ("and", "or"):
        _expect(left, ("bool",), f"the left side of '{node.op}'", node.column)
        _expect(right, ("bool",), f"the right side of '{node.op}'", node.column)
        return Type("bool")
    if node.op in ("+", "-"):
        _expect(left, ("number",), f"the left side of '{node.op}'", node.column)
        _expect(right, ("number",), f"the right side of '{node.op}'", node.column)
        return Type("number")
    if node.op in ("in", "not in"):
        if right.name != "list":
            raise ExprTypeError(f"'{node.op}' needs a list on its right, found {right}", node.column)
        if right.item not in (left.name, None):
            raise ExprTypeError(f"cannot look for {left} in a list of {right.item}", node.column)
        _check_literals(left, node.right)
        return Type("bool")
    if left.name != right.name or left.name not in SCALARS:
        raise ExprTypeError(f"cannot compare {left} with {right} using '{node.op}'", node.column)
    if node.op not in ("==", "!=") and left.name not in ("number", "date"):
        raise ExprTypeError(f"'{node.op}' compares numbers or dates, not {left}", node.column)
    _check_literals(left, node.right)
    _check_literals(right, node.left)
    return Type("bool")


def _arity(node: Call, low: int, high: int) -> None:
    if not low <= len(node.args) <= high:
        count = f"{low}" if low == high else f"{low} to {high}"
        raise ExprTypeError(f"{node.name}() takes {count} arguments, found {len(node.args)}", node.column)


def _aggregate(node: Call, shape: Mapping[str, Any], row: Mapping[str, Any] | None) -> Type:
    if node.name in ("count",):
        _arity(node, 1, 2)
    elif node.name in ("any", "all", "none"):
        _arity(node, 2, 2)
    else:
        _arity(node, 2, 3)
    rows = infer(node.args[0], shape, row)
    if rows.name != "rows":
        raise ExprTypeError(f"the first argument of {node.name}() must be a rows section, found {rows}", node.column)
    assert rows.row is not None
    inner = [infer(arg, shape, rows.row) for arg in node.args[1:]]
    if node.name in ("count", "any", "all", "none"):
        for found in inner:
            _expect(found, ("bool",), f"the condition of {node.name}()", node.column)
        return Type("number" if node.name == "count" else "bool")
    if len(inner) == 2:
        _expect(inner[1], ("bool",), f"the condition of {node.name}()", node.column)
    wanted = ("number",) if node.name == "sum" else ("number", "date")
    _expect(
        inner[0],
        wanted,
        f"what {node.name}() adds up" if node.name == "sum" else f"what {node.name}() compares",
        node.column,
    )
    return Type(inner[0].name)


def _call(node: Call, shape: Mapping[str, Any], row: Mapping[str, Any] | None) -> Type:
    if node.name in AGGREGATES:
        return _aggregate(node, shape, row)
    signatures: dict[str, tuple[tuple[tuple[str, ...], ...], str]] = {
        "years": ((("date",), ("date",)), "number"),
        "months": ((("date",), ("date",)), "number"),
        "year": ((("date",),), "number"),
        "add_years": ((("date",), ("number",)), "date"),
        "service_years": ((("date",), ("date",), ("number",)), "number"),
        "filled": ((SCALARS,), "bool"),
        "amount": ((("text",), ("text",)), "number"),
        "span": ((("date",), ("date",), ("date",)), "number"),
        "full_years": ((("number",),), "number"),
    }
    if node.name not in signatures:
        known = sorted([*signatures, *AGGREGATES])
        close = difflib.get_close_matches(node.name, known, n=1, cutoff=0.6)
        raise ExprTypeError(
            f"unknown function '{node.name}'", node.column, "name", suggestion=close[0] if close else None
        )
    parameters, result = signatures[node.name]
    _arity(node, len(parameters), len(parameters))
    for index, (arg, wanted) in enumerate(zip(node.args, parameters, strict=True)):
        _expect(infer(arg, shape, row), wanted, f"argument {index + 1} of {node.name}()", node.column)
    if node.name == "amount" and not (isinstance(node.args[1], Literal) and isinstance(node.args[1].value, str)):
        raise ExprTypeError('amount() names its unit as text, e.g. amount(hours, "学时")', node.column)
    return Type(result)


def infer(node: Node, shape: Mapping[str, Any], row: Mapping[str, Any] | None = None) -> Type:
    """The type of an expression; raises ExprTypeError saying what does not fit."""
    if isinstance(node, Literal):
        return _literal_type(node)
    if isinstance(node, Path):
        return _resolve(node, shape, row)
    if isinstance(node, ListLit):
        types = [infer(item, shape, row) for item in node.items]
        names = {t.name for t in types}
        if len(names) > 1:
            raise ExprTypeError(f"a list must hold one type, found {', '.join(sorted(names))}", node.column)
        return Type("list", item=types[0].name if types else None)
    if isinstance(node, Unary):
        found = infer(node.operand, shape, row)
        _expect(found, ("bool",) if node.op == "not" else ("number",), f"the operand of '{node.op}'", node.column)
        return found
    if isinstance(node, Binary):
        return _binary(node, shape, row)
    return _call(node, shape, row)
