"""The rule expression language: tokens and syntax tree (ELIG-2).

A small language policy staff can read, e.g.::

    count(achievements, category == "获奖" and award_level in ["国家级", "省级"]) >= 2
    header.work_start >= add_years(account.birth_date, 16)
    years(min(current_title, qualified_on, level == "中级"), declaration.year_end) >= 5

It is parsed here into a tree of frozen nodes; ``expr_types`` type-checks a tree
against the declaration's sections and ``expr_eval`` evaluates it. Nothing is ever
handed to Python's ``eval``: the grammar below is all there is.

    expr    := or
    or      := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | compare
    compare := sum (("==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not" "in") sum)?
    sum     := unary (("+" | "-") unary)*
    unary   := "-" unary | primary
    primary := NUMBER | STRING | "true" | "false" | "[" items "]" | NAME "(" items ")"
             | NAME ("." NAME)* | "(" expr ")"
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

__all__ = [
    "Binary",
    "Call",
    "ExprSyntaxError",
    "ListLit",
    "Literal",
    "Node",
    "Path",
    "Unary",
    "parse",
    "to_json",
]

MAX_LENGTH = 2000  # an expression is a line or two of policy, never a program


class ExprSyntaxError(ValueError):
    """The text is not an expression; ``column`` is 1-based within the text."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(message)
        self.column = column


@dataclass(frozen=True)
class Literal:
    value: Decimal | str | bool
    column: int


@dataclass(frozen=True)
class ListLit:
    items: tuple[Node, ...]
    column: int


@dataclass(frozen=True)
class Path:
    parts: tuple[str, ...]
    column: int

    @property
    def text(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]
    column: int


@dataclass(frozen=True)
class Unary:
    op: str  # "not" or "-"
    operand: Node
    column: int


@dataclass(frozen=True)
class Binary:
    op: str  # and or == != < <= > >= in "not in" + -
    left: Node
    right: Node
    column: int


Node = Literal | ListLit | Path | Call | Unary | Binary

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<string>"[^"\n]*"|'[^'\n]*'|“[^”\n]*”)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>==|!=|<=|>=|<|>|\+|-|\(|\)|\[|\]|,|\.)
    """,
    re.VERBOSE,
)
_KEYWORDS = ("and", "or", "not", "in", "true", "false")
_COMPARE = ("==", "!=", "<", "<=", ">", ">=", "in")


@dataclass(frozen=True)
class _Token:
    kind: str  # number string name op keyword end
    text: str
    column: int


def _tokens(text: str) -> list[_Token]:
    tokens = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise ExprSyntaxError(f"unexpected character {text[position]!r}", position + 1)
        kind = match.lastgroup or ""
        if kind != "space":
            word = match.group()
            if kind == "name" and word in _KEYWORDS:
                kind = "keyword"
            tokens.append(_Token(kind, word, position + 1))
        position = match.end()
    tokens.append(_Token("end", "", len(text) + 1))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.index = 0

    @property
    def token(self) -> _Token:
        return self.tokens[self.index]

    def take(self, text: str | None = None, kind: str | None = None) -> _Token | None:
        token = self.token
        if (text is None or token.text == text) and (kind is None or token.kind == kind):
            self.index += 1
            return token
        return None

    def expect(self, text: str) -> _Token:
        token = self.take(text)
        if token is None:
            found = self.token.text or "the end"
            raise ExprSyntaxError(f"expected '{text}', found '{found}'", self.token.column)
        return token

    def expression(self) -> Node:
        return self.disjunction()

    def disjunction(self) -> Node:
        node = self.conjunction()
        while (token := self.take("or", "keyword")) is not None:
            node = Binary("or", node, self.conjunction(), token.column)
        return node

    def conjunction(self) -> Node:
        node = self.negation()
        while (token := self.take("and", "keyword")) is not None:
            node = Binary("and", node, self.negation(), token.column)
        return node

    def negation(self) -> Node:
        token = self.take("not", "keyword")
        if token is not None:
            return Unary("not", self.negation(), token.column)
        return self.comparison()

    def comparison(self) -> Node:
        left = self.arithmetic()
        token = self.token
        if token.text in _COMPARE and token.kind in ("op", "keyword"):
            self.index += 1
            return Binary(token.text, left, self.arithmetic(), token.column)
        if token.text == "not" and self.tokens[self.index + 1].text == "in":
            self.index += 2
            return Binary("not in", left, self.arithmetic(), token.column)
        return left

    def arithmetic(self) -> Node:
        node = self.unary()
        while self.token.text in ("+", "-") and self.token.kind == "op":
            token = self.tokens[self.index]
            self.index += 1
            node = Binary(token.text, node, self.unary(), token.column)
        return node

    def unary(self) -> Node:
        token = self.take("-", "op")
        if token is not None:
            return Unary("-", self.unary(), token.column)
        return self.primary()

    def primary(self) -> Node:
        token = self.token
        self.index += 1
        if token.kind == "number":
            return Literal(Decimal(token.text), token.column)
        if token.kind == "string":
            return Literal(token.text[1:-1], token.column)
        if token.kind == "keyword" and token.text in ("true", "false"):
            return Literal(token.text == "true", token.column)
        if token.text == "[" and token.kind == "op":
            return ListLit(self.items("]"), token.column)
        if token.text == "(" and token.kind == "op":
            node = self.expression()
            self.expect(")")
            return node
        if token.kind == "name":
            if self.take("(", "op") is not None:
                return Call(token.text, self.items(")"), token.column)
            parts = [token.text]
            while self.take(".", "op") is not None:
                part = self.take(kind="name")
                if part is None:
                    raise ExprSyntaxError("expected a field name after '.'", self.token.column)
                parts.append(part.text)
            return Path(tuple(parts), token.column)
        found = token.text or "the end"
        raise ExprSyntaxError(f"expected a value, a field or a function, found '{found}'", token.column)

    def items(self, closing: str) -> tuple[Node, ...]:
        items: list[Node] = []
        if self.take(closing, "op") is not None:
            return ()
        while True:
            items.append(self.expression())
            if self.take(closing, "op") is not None:
                return tuple(items)
            self.expect(",")


def parse(text: str) -> Node:
    """The syntax tree of an expression; raises ExprSyntaxError with a column."""
    if len(text) > MAX_LENGTH:
        raise ExprSyntaxError(f"an expression may be at most {MAX_LENGTH} characters", MAX_LENGTH)
    parser = _Parser(text)
    node = parser.expression()
    if parser.token.kind != "end":
        raise ExprSyntaxError(f"unexpected '{parser.token.text}'", parser.token.column)
    return node


def to_json(node: Node) -> dict[str, Any]:
    """The tree as plain JSON, for the page's script to evaluate the same expression the server
    evaluates (a computed field filled in as the applicant types; ARCHITECTURE "one rule")."""
    if isinstance(node, Literal):
        value = node.value
        return {"lit": str(value) if isinstance(value, Decimal) else value, "number": isinstance(value, Decimal)}
    if isinstance(node, ListLit):
        return {"list": [to_json(item) for item in node.items]}
    if isinstance(node, Path):
        return {"path": list(node.parts)}
    if isinstance(node, Call):
        return {"call": node.name, "args": [to_json(arg) for arg in node.args]}
    if isinstance(node, Unary):
        return {"op": node.op, "operand": to_json(node.operand)}
    return {"op": node.op, "left": to_json(node.left), "right": to_json(node.right)}
