"""Validate a document against a compiled form from build/.

The same code judges examples at build time and user data at run time. A
compiled form carries its JSON Schema (with a Chinese message for every
keyword under `x-messages`) and its compiled cross-field rules; this module
turns both kinds of failure into one list of errors, each with a JSON-pointer
path, a code, a Chinese message and the DOMAIN rule id.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import jsonschema

from vocabulary.conditions import is_filled
from vocabulary.formats import format_checker
from vocabulary.rules import Context, Dictionaries, run_rule

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Error:
    path: str
    code: str
    message: str
    rule: str
    severity: str = "error"

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def fill_message(template: str, params: Mapping[str, object]) -> str:
    """Replace {name} placeholders; unknown ones stay as written (no str.format)."""

    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        return str(params[key]) if key in params else match.group(0)

    return _PLACEHOLDER.sub(replace, template)


def to_pointer(parts: Iterable[str | int]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def normalize(document: Any, compiled: Mapping[str, Any]) -> Any:
    """Drop empty values so that "" counts as missing; give a rows section its list."""
    cleaned = _drop_empty(document)
    if isinstance(cleaned, dict) and compiled.get("rows") is not None:
        cleaned.setdefault("rows", [])
    return cleaned


def _drop_empty(value: Any) -> Any:
    if isinstance(value, Mapping):
        result = {}
        for key, item in value.items():
            item = _drop_empty(item)
            if isinstance(item, list) or is_filled(item):
                result[key] = item
        return result
    if isinstance(value, list):
        return [_drop_empty(item) for item in value]
    if isinstance(value, str):
        return value.strip()
    return value


class FormValidator:
    """Every error of a document for one compiled form or section."""

    def __init__(self, compiled: Mapping[str, Any], dictionaries: Dictionaries) -> None:
        self.compiled = compiled
        self.dictionaries = dictionaries
        self.schema = compiled["schema"]
        self._validator = jsonschema.Draft202012Validator(self.schema, format_checker=format_checker())
        self.rule_id = str(compiled.get("rule") or "")

    def errors(self, document: Any, context: Context | None = None) -> list[Error]:
        context = context or Context()
        document = normalize(document, self.compiled)
        found = list(self._schema_errors(document))
        if isinstance(document, Mapping):
            found.extend(self._rule_errors(document, context))
        return _dedupe(found)

    def _schema_errors(self, document: Any) -> Iterable[Error]:
        for error in self._validator.iter_errors(document):
            yield from self._explain(error)

    def _explain(self, error: jsonschema.ValidationError) -> Iterable[Error]:
        path = list(error.absolute_path)
        schema: Any = error.schema if isinstance(error.schema, Mapping) else {}
        expected: Any = error.validator_value
        instance: Any = error.instance
        if error.validator == "required":
            names = [n for n in expected if n not in (instance or {})]
            properties = schema.get("properties", {})
            for name in names:
                prop = properties.get(name, {})
                yield self._error([*path, name], "required", prop)
            return
        if error.validator == "additionalProperties":
            allowed = schema.get("properties", {})
            for name in instance:
                if name not in allowed:
                    yield self._error([*path, name], "additionalProperties", {})
            return
        prop = self._property(path)
        if error.validator in ("anyOf", "oneOf") and error.context:
            first = [e for e in error.context if e.relative_schema_path[0] == 0]
            keyword = str(first[0].validator) if first else "type"
            yield self._error(path, keyword, prop)
            return
        yield self._error(path, str(error.validator), prop)

    def _property(self, path: Sequence[str | int]) -> Mapping[str, Any]:
        """The schema of the property at a document path (rows and groups included)."""
        node: Mapping[str, Any] = self.schema
        for part in path:
            if isinstance(part, int):
                node = node.get("items", {})
            else:
                node = node.get("properties", {}).get(part, {})
        return node

    def _error(self, path: Sequence[str | int], keyword: str, prop: Mapping[str, Any]) -> Error:
        messages = prop.get("x-messages") or {}
        message = messages.get(keyword) or self.schema.get("x-fallback", {}).get(keyword) or ""
        if not message:
            message = (self.schema.get("x-fallback") or {}).get("type", keyword)
        return Error(
            path=to_pointer(path),
            code=keyword,
            message=message,
            rule=str(prop.get("x-rule") or self.rule_id),
        )

    def _rule_errors(self, document: Mapping[str, Any], context: Context) -> Iterable[Error]:
        for rule in self.compiled.get("rules") or []:
            for violation in run_rule(rule, document, context, self.dictionaries):
                yield Error(
                    path=to_pointer(violation.path),
                    code="rule:" + rule["kind"],
                    # {limit}, {minimum} … come from the rule's own parameters (one value, one place)
                    message=fill_message(
                        _message_for(rule, violation.params), {**(rule.get("params") or {}), **violation.params}
                    ),
                    rule=rule["rule"],
                    severity=rule.get("severity", "error"),
                )


def _message_for(rule: Mapping[str, Any], params: Mapping[str, object]) -> str:
    """The message for this kind of failure when the rule gives one per kind (e.g. a gap and
    an overlap need different fixes), else the rule's message."""
    by_problem = rule.get("messages") or {}
    return str(by_problem.get(str(params.get("problem", ""))) or rule["message"])


def _dedupe(errors: list[Error]) -> list[Error]:
    seen: set[tuple[str, str, str]] = set()
    result = []
    for error in errors:
        key = (error.path, error.code, error.message)
        if key not in seen:
            seen.add(key)
            result.append(error)
    return result
