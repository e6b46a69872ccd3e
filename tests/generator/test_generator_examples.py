"""Every example written in schemas/ runs as a test, through the compiled model.

Rule examples go through `vocabulary.rules.run_rule` exactly as the runtime runs a
compiled rule; field examples through the compiled JSON Schema of the field. The
identity numbers and credit codes of the domain reference go through the compiled
registration forms with `FormValidator`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from generator.checks._walk import field_specs
from generator.compiler import compile_schemas
from generator.model import Model
from vocabulary.formats import format_checker
from vocabulary.rules import run_rule
from vocabulary.validation import FormValidator, normalize

ROOT = Path(__file__).resolve().parents[2]
MODEL = compile_schemas(ROOT / "schemas").model


@dataclass(frozen=True)
class RuleExample:
    form: str
    index: int  # the rule's place in its file's `rules`
    kind: str
    valid: bool
    document: Any


@dataclass(frozen=True)
class FieldExample:
    form: str
    path: tuple[str | int, ...]  # the field's place in its file, e.g. ("rows", "fields", "end")
    valid: bool
    value: Any


def compiled_forms(model: Model) -> Iterator[tuple[str, dict[str, Any], Mapping[str, Any]]]:
    """(id, compiled form, source data) for every form and section with its own fields."""
    for form_id, compiled in sorted(model.forms.items()):
        if compiled["kind"] != "composite":
            yield form_id, compiled, model.project.forms[form_id].data
    for form_id, sections in sorted(model.sections.items()):
        for section_id, compiled in sections.items():
            yield f"{form_id}/{section_id}", compiled, model.project.sections[form_id][section_id].data


def _rule_examples() -> list[Any]:
    assert MODEL is not None, "the repository's schemas/ do not compile"
    params = []
    for form_id, _compiled, data in compiled_forms(MODEL):
        rules = data.get("rules") or []
        kinds = Counter(rule["kind"] for rule in rules)
        for index, rule in enumerate(rules):
            name = rule["kind"] if kinds[rule["kind"]] == 1 else f"{rule['kind']}[{index}]"
            for which in ("valid", "invalid"):
                for n, document in enumerate((rule.get("examples") or {}).get(which) or []):
                    example = RuleExample(form_id, index, rule["kind"], which == "valid", document)
                    params.append(pytest.param(example, id=f"{form_id}:{name}:{which}{n}"))
    return params


def _field_examples() -> list[Any]:
    assert MODEL is not None, "the repository's schemas/ do not compile"
    params = []
    for form_id, _compiled, data in compiled_forms(MODEL):
        for path, _name, spec in field_specs(data):
            field = ".".join(str(p) for p in path if p != "fields")
            for which in ("valid", "invalid"):
                for n, value in enumerate((spec.get("examples") or {}).get(which) or []):
                    example = FieldExample(form_id, path, which == "valid", value)
                    params.append(pytest.param(example, id=f"{form_id}:{field}:{which}{n}"))
    return params


RULE_EXAMPLES = _rule_examples()
FIELD_EXAMPLES = _field_examples()


def _compiled(model: Model, form_id: str) -> dict[str, Any]:
    if "/" in form_id:
        form, section = form_id.split("/")
        return model.sections[form][section]
    return model.forms[form_id]


def property_schema(compiled: Mapping[str, Any], path: tuple[str | int, ...]) -> dict[str, Any]:
    """The compiled JSON Schema of the field a source path names."""
    node: Any = compiled["schema"]
    parts = list(path)
    if parts[:2] == ["rows", "fields"]:
        node = node["properties"]["rows"]["items"]
        parts = ["fields", *parts[2:]]
    for key, name in zip(parts[::2], parts[1::2], strict=True):
        assert key == "fields"
        node = node["properties"][name]
    return dict(node)


@pytest.mark.parametrize("example", RULE_EXAMPLES)
def test_a_rule_example_holds_against_the_compiled_rule(example: RuleExample, model: Model) -> None:
    compiled = _compiled(model, example.form)
    rule = compiled["rules"][example.index]
    assert rule["kind"] == example.kind
    document = normalize(example.document, compiled)
    violations = list(run_rule(rule, document, model.example_context(), model.dictionaries()))
    if example.valid:
        assert violations == []
    else:
        assert violations, f"the invalid example does not break {rule['kind']}: {example.document}"


@pytest.mark.parametrize("example", FIELD_EXAMPLES)
def test_a_field_example_holds_against_the_compiled_field_schema(example: FieldExample, model: Model) -> None:
    schema = property_schema(_compiled(model, example.form), example.path)
    validator = jsonschema.Draft202012Validator(schema, format_checker=format_checker())
    assert validator.is_valid(example.value) is example.valid


def test_the_schemas_carry_many_rule_and_field_examples() -> None:
    assert len(RULE_EXAMPLES) >= 60
    assert len(FIELD_EXAMPLES) >= 80


def test_every_rule_in_the_schemas_has_a_valid_and_an_invalid_example(model: Model) -> None:
    for form_id, _compiled, data in compiled_forms(model):
        for rule in data.get("rules") or []:
            examples = rule.get("examples") or {}
            assert examples.get("valid") and examples.get("invalid"), f"{form_id}: {rule['kind']}"


# --- identity numbers and credit codes (shared/reference/domain-facts.md §1, §2) ----------

VALID_ID_NUMBERS = [
    "11010519491231002X",
    "440524188001010014",
    "360426199101010071",
    "120103198806018241",
    "371002199001011237",
]
INVALID_ID_NUMBERS = [
    "360426199101010072",  # the reference's bad check digit
    "37100219900101123",  # 17 characters
    "371002199013011237",  # month 13
    "371002209901011232",  # born in the future
    "11010519491231002Y",
]
VALID_CREDIT_CODES = ["91110000600037341L", "91110108551385082Q"]
INVALID_CREDIT_CODES = [
    "91110000600037341A",  # wrong check character
    "91110108551385082R",
    "9111000060003734",  # too short
    "91110000600037341I",  # I is not in the alphabet
]


def field_errors(model: Model, form_id: str, field: str, value: str) -> list[str]:
    validator = FormValidator(_compiled(model, form_id), model.dictionaries())
    errors = validator.errors({field: value}, model.example_context())
    return [error.code for error in errors if error.path == f"/{field}"]


@pytest.mark.parametrize("number", VALID_ID_NUMBERS)
def test_a_valid_identity_number_passes_person_registration(number: str, model: Model) -> None:
    assert field_errors(model, "person_registration", "id_number", number) == []


@pytest.mark.parametrize("number", INVALID_ID_NUMBERS)
def test_an_invalid_identity_number_fails_person_registration(number: str, model: Model) -> None:
    assert field_errors(model, "person_registration", "id_number", number) == ["format"]


@pytest.mark.parametrize("code", VALID_CREDIT_CODES)
def test_a_valid_credit_code_passes_unit_registration(code: str, model: Model) -> None:
    assert field_errors(model, "unit_registration", "uscc", code) == []


@pytest.mark.parametrize("code", INVALID_CREDIT_CODES)
def test_an_invalid_credit_code_fails_unit_registration(code: str, model: Model) -> None:
    assert field_errors(model, "unit_registration", "uscc", code) == ["format"]


def test_an_invalid_identity_number_gets_the_format_message_of_messages_yaml(model: Model) -> None:
    validator = FormValidator(_compiled(model, "person_registration"), model.dictionaries())
    [error] = [e for e in validator.errors({"id_number": "360426199101010072"}) if e.path == "/id_number"]
    formats = model.project.data("messages")["formats"]
    assert error.message == formats["id-card"]
    assert error.rule == "REG-2"
