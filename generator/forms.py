"""Stage 3 (resolve): a form or section file becomes a compiled form.

A compiled form is what build/forms/*.json holds: a JSON Schema 2020-12 whose
properties carry Chinese titles, hints and a message for every keyword
(`x-messages`), the field descriptors the templates render, the compiled
cross-field rules and the upload kinds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator import placeholders
from generator.project import Project
from vocabulary.expr_parse import ExprSyntaxError, parse, to_json
from vocabulary.rules import RULE_KINDS

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
RULE_COMMON_KEYS = ("kind", "rule", "message", "messages", "severity", "when", "examples", "scope")
_COPIED_KEYWORDS = ("pattern", "minLength", "maxLength", "minimum", "maximum")


class FormCompiler:
    """Compiles forms with the project's messages and dictionaries."""

    def __init__(self, project: Project) -> None:
        self.project = project
        messages = project.data("messages")
        self.templates: dict[str, str] = dict(messages.get("validation") or {})
        self.format_templates: dict[str, str] = dict(messages.get("formats") or {})

    # -- public -------------------------------------------------------------
    def compile(self, data: Mapping[str, Any], form: str | None = None) -> dict[str, Any]:
        rule_id = str(data.get("rule") or "")
        fields = data.get("fields") or {}
        rows = data.get("rows")
        properties: dict[str, Any] = {}
        required: list[str] = []
        descriptors = []
        for name, spec in fields.items():
            properties[name] = self.property(spec, rule_id)
            descriptors.append(self.descriptor(name, spec, rule_id))
            if spec.get("required"):
                required.append(name)
        compiled_rows = None
        if isinstance(rows, Mapping):
            compiled_rows, properties["rows"] = self._rows(data, rows, rule_id)
        title = placeholders.fill(data.get("title"), placeholders.rows_values(rows))  # "{max}" rows in the title
        schema: dict[str, Any] = {
            "$schema": SCHEMA_DIALECT,
            "$id": f"forms/{form + '/' if form else ''}{data.get('id')}.json",
            "title": title,
            "type": "object",
            "properties": properties,
            "additionalProperties": False,
            "x-rule": rule_id,
            "x-fallback": {
                "type": self._message("type", {"title": ""}),
                "additionalProperties": self.templates.get("additionalProperties", ""),
            },
        }
        if data.get("description"):
            schema["description"] = data["description"]
        if required:
            schema["required"] = required
        rules = [self.rule(r, data) for r in data.get("rules") or [] if r.get("kind") in RULE_KINDS]
        self._attach_cascades(descriptors, compiled_rows, rules)
        client = client_rules(fields, (rows or {}).get("fields") if isinstance(rows, Mapping) else None, rules)
        compiled_form = {
            "id": data.get("id"),
            "title": title,
            "form": form,
            "kind": self.kind(data, form),
            "rule": rule_id,
            "description": data.get("description", ""),
            "schema": schema,
            "fields": descriptors,
            "rows": compiled_rows,
            "rules": rules,
            "uploads": [self.upload(u) for u in data.get("uploads") or []],
        }
        if client:
            compiled_form["client"] = client
        return compiled_form

    @staticmethod
    def kind(data: Mapping[str, Any], form: str | None) -> str:
        if form:
            return "section"
        if data.get("sections"):
            return "composite"
        if data.get("text"):
            return "letter"
        return "form"

    # -- fields -------------------------------------------------------------
    def property(self, spec: Mapping[str, Any], inherited_rule: str) -> dict[str, Any]:
        title = spec.get("title", "")
        rule_id = str(spec.get("rule") or inherited_rule)
        prop: dict[str, Any] = {"title": title}
        if spec.get("hint"):
            prop["description"] = spec["hint"]
        kind = spec.get("type", "choice" if spec.get("dictionary") else "text")
        constraint: dict[str, Any] = {}
        if kind == "group":
            return self._group(spec, prop, rule_id)
        constraint["type"] = "integer" if kind == "integer" else "string"
        if spec.get("format"):
            constraint["format"] = spec["format"]
        if spec.get("dictionary"):
            constraint["enum"] = self.project.dictionary_values(spec["dictionary"])
        if spec.get("enum"):
            constraint["enum"] = list(spec["enum"])
        if "const" in spec:
            constraint = {"const": spec["const"]}
        for keyword in _COPIED_KEYWORDS:
            if keyword in spec:
                constraint[keyword] = spec[keyword]
        if spec.get("or"):
            prop["anyOf"] = [constraint, {"enum": list(spec["or"])}]
        else:
            prop.update(constraint)
        if "default" in spec:
            prop["default"] = spec["default"]
        prop["x-messages"] = self._field_messages(spec, constraint, title)
        prop["x-rule"] = rule_id
        return prop

    def _group(self, spec: Mapping[str, Any], prop: dict[str, Any], rule_id: str) -> dict[str, Any]:
        nested = spec.get("fields") or {}
        prop["type"] = "object"
        prop["properties"] = {n: self.property(s, rule_id) for n, s in nested.items()}
        prop["additionalProperties"] = False
        required = [n for n, s in nested.items() if s.get("required")]
        if required:
            prop["required"] = required
        prop["x-messages"] = {
            "required": self._message("required", {"title": spec.get("title", "")}),
            "type": self._message("type", {"title": spec.get("title", "")}),
        }
        prop["x-rule"] = rule_id
        return prop

    def _field_messages(self, spec: Mapping[str, Any], constraint: Mapping[str, Any], title: str) -> dict[str, str]:
        overrides = spec.get("messages") or {}
        messages = {"required": self._message("required", {"title": title})}
        for keyword in ("type", "enum", "const", *_COPIED_KEYWORDS):
            if keyword in constraint:
                limit = constraint[keyword]
                messages[keyword] = self._message(keyword, {"title": title, "limit": limit})
        if "format" in constraint:
            template = self.format_templates.get(constraint["format"], "")
            messages["format"] = template.replace("{title}", title)
        if spec.get("or"):
            messages["enum"] = messages.get("enum") or self._message("enum", {"title": title})
        values = {"title": title, **{k: v for k, v in constraint.items() if k in _COPIED_KEYWORDS}}
        for keyword, text in overrides.items():
            messages[keyword] = placeholders.fill(text, {**values, "limit": constraint.get(keyword, "")})
        return messages

    def _message(self, keyword: str, values: Mapping[str, Any]) -> str:
        text = self.templates.get(keyword, "")
        for key, value in values.items():
            text = text.replace("{" + key + "}", str(value))
        return text

    def descriptor(self, name: str, spec: Mapping[str, Any], rule_id: str) -> dict[str, Any]:
        kind = spec.get("type", "choice" if spec.get("dictionary") else "text")
        widget = spec.get("widget") or {
            "textarea": "textarea",
            "choice": "select",
            "org": "search",
            "password": "password",
            "group": "group",
            "integer": "number",
        }.get(kind, "text")
        descriptor: dict[str, Any] = {
            "id": name,
            "title": spec.get("title", ""),
            "hint": spec.get("hint", ""),
            "type": kind,
            "widget": widget,
            "required": bool(spec.get("required")),
            "rule": str(spec.get("rule") or rule_id),
        }
        for key in ("format", "pattern", "maxLength", "minLength", "minimum", "maximum"):
            if key in spec:
                descriptor[key] = spec[key]
        if spec.get("dictionary"):
            descriptor["dictionary"] = spec["dictionary"]
            descriptor["options"] = self.project.dictionary_values(spec["dictionary"])
        if spec.get("enum"):
            descriptor["options"] = list(spec["enum"])
        for key in ("or", "const", "default", "source", "frozen", "computed", "shown_when", "depends_on", "print"):
            if key in spec:
                descriptor[key] = spec[key]
        examples = spec.get("examples")
        if isinstance(examples, dict) and examples.get("valid"):
            # valid values of this field, for demo data and tests that must not restate policy
            descriptor["examples"] = list(examples["valid"])
        if kind == "group":
            nested = spec.get("fields") or {}
            descriptor["fields"] = [self.descriptor(n, s, rule_id) for n, s in nested.items()]
        return descriptor

    # -- rows, rules, uploads -------------------------------------------------
    def _rows(
        self, data: Mapping[str, Any], rows: Mapping[str, Any], inherited_rule: str
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        rule_id = str(rows.get("rule") or inherited_rule)
        title = placeholders.fill(rows.get("title") or data.get("title", ""), placeholders.rows_values(rows))
        fields = rows.get("fields") or {}
        item = {
            "type": "object",
            "properties": {n: self.property(s, rule_id) for n, s in fields.items()},
            "additionalProperties": False,
        }
        required = [n for n, s in fields.items() if s.get("required")]
        if required:
            item["required"] = required
        array: dict[str, Any] = {"title": title, "type": "array", "items": item}
        values = {"title": title, **placeholders.rows_values(rows)}
        overrides = {
            k: placeholders.fill(v, {**values, "limit": rows.get(k, "")})
            for k, v in (rows.get("messages") or {}).items()
        }
        messages = {"type": self._message("type", {"title": title})}
        if "min" in rows:
            array["minItems"] = rows["min"]
            messages["minItems"] = overrides.get("min") or self._message(
                "minItems", {"title": title, "limit": rows["min"]}
            )
        if "max" in rows:
            array["maxItems"] = rows["max"]
            messages["maxItems"] = overrides.get("max") or self._message(
                "maxItems", {"title": title, "limit": rows["max"]}
            )
        array["x-messages"] = messages
        array["x-rule"] = rule_id
        compiled = {
            "title": title,
            "min": rows.get("min", 0),
            "max": rows.get("max"),
            "rule": rule_id,
            "fields": [self.descriptor(n, s, rule_id) for n, s in fields.items()],
        }
        return compiled, array

    def rule(self, rule: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
        kind = RULE_KINDS[rule["kind"]]
        params = {k: v for k, v in rule.items() if k not in RULE_COMMON_KEYS}
        when = rule.get("when")
        if "when" in (kind.parameters.get("properties") or {}):
            params["when"] = when
            when = None
        compiled = {
            "kind": rule["kind"],
            "scope": rule.get("scope") or self.scope(rule, data),
            "params": params,
            "when": when,
            "message": rule.get("message", ""),
            "rule": rule.get("rule", ""),
            "severity": rule.get("severity", "error"),
        }
        if rule.get("messages"):
            compiled["messages"] = dict(rule["messages"])
        return compiled

    def scope(self, rule: Mapping[str, Any], data: Mapping[str, Any]) -> str:
        kind = RULE_KINDS[rule["kind"]]
        if kind.scope == "rows":
            return "rows"
        row_fields = set(((data.get("rows") or {}).get("fields") or {}).keys())
        named = rule_field_names(rule)
        if named and row_fields and all(n in row_fields for n in named):
            return "rows"
        return "object"

    @staticmethod
    def upload(upload: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "kind": upload.get("kind"),
            "title": upload.get("title"),
            "hint": upload.get("hint", ""),
            "types": list(upload.get("types") or ["pdf", "jpg", "png"]),
            "max_size_kb": upload.get("max_size_kb", 10240),
            "max_files": upload.get("max_files", 5),
            "per_row": bool(upload.get("per_row", False)),
            "required": bool(upload.get("required", False)),
        }

    @staticmethod
    def _attach_cascades(
        descriptors: list[dict[str, Any]],
        rows: Mapping[str, Any] | None,
        rules: list[dict[str, Any]],
    ) -> None:
        """Tell the page where a cascading choice finds its options (from the cascade rule)."""
        everything = list(descriptors) + list((rows or {}).get("fields") or [])
        by_id = {d["id"]: d for d in everything}
        for rule in rules:
            if rule["kind"] != "cascade":
                continue
            params = rule["params"]
            key_field = by_id.get(params.get("key"))
            paths = [str(c.get("member_of")) for c in params.get("checks") or []]
            if key_field is not None and key_field.get("depends_on"):
                # Never offer a key (a series) whose cascade would be empty for the chosen
                # parents (no titles at the middle level): the page drops those options (DEC-3).
                needed = [p for p in paths if any("{" + d + "}" in p for d in key_field["depends_on"])]
                if needed:
                    key_field["options_nonempty"] = {"dictionary": params.get("dictionary"), "paths": needed}
            for check in params.get("checks") or []:
                target = by_id.get(check.get("field"))
                if target is not None:
                    target["options_from"] = {
                        "dictionary": params.get("dictionary"),
                        "key": params.get("key"),
                        "member_of": check.get("member_of"),
                    }


def rule_field_names(rule: Mapping[str, Any]) -> list[str]:
    """Every field a rule names: its field parameters, its checks and its condition."""
    kind = RULE_KINDS.get(str(rule.get("kind")))
    names: list[str] = []
    if kind is None:
        return names
    for param in kind.field_params:
        value = rule.get(param)
        if isinstance(value, str):
            names.append(value)
        elif isinstance(value, list):
            names.extend(v for v in value if isinstance(v, str))
    for check in rule.get("checks") or [] if isinstance(rule.get("checks"), list) else []:
        if isinstance(check, Mapping) and isinstance(check.get("field"), str):
            names.append(check["field"])
    for key in ("when", "where"):
        condition = rule.get(key)
        if isinstance(condition, Mapping):
            names.extend(str(k) for k in condition)
    return names


def client_rules(
    fields: Mapping[str, Any], row_fields: Mapping[str, Any] | None, rules: list[dict[str, Any]]
) -> dict[str, Any]:
    """What the page's script needs to show, hide and mark fields, taken from the same schema:
    each field's ``shown_when``, the conditions of the ``required-if`` rules and the syntax
    trees of ``computed`` fields (DEC-8 years of appointment, filled in as the applicant types). The server
    still judges and computes everything; without the script every field shows."""
    client: dict[str, Any] = {}
    for scope, specs in (("fields", fields), ("rows", row_fields or {})):
        shown = {
            name: spec["shown_when"] for name, spec in specs.items() if isinstance(spec.get("shown_when"), Mapping)
        }
        required: dict[str, list[Any]] = {}
        for rule in rules:
            if rule["kind"] == "required-if" and (rule["scope"] == "rows") == (scope == "rows"):
                name = rule["params"].get("field")
                if name in specs and rule["severity"] == "error":
                    required.setdefault(name, []).append(rule["params"].get("when"))
        computed = {name: tree for name, spec in specs.items() if (tree := _tree(spec.get("computed"))) is not None}
        if shown or required:
            client[scope] = {"shown_when": shown, "required_when": required}
        if computed:
            client.setdefault(scope, {"shown_when": {}, "required_when": {}})["computed"] = computed
    return client


def _tree(expression: object) -> dict[str, Any] | None:
    """A computed field's expression as JSON; one that does not parse is E350's to report."""
    if not isinstance(expression, str):
        return None
    try:
        return to_json(parse(expression))
    except ExprSyntaxError:
        return None
