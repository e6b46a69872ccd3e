"""The catalog of diagnostics: every code the generator can report.

Policy staff read these. Each code has a one-line summary, a message template
filled with the details, and a fix hint. Tests compare against this catalog,
and docs/diagnostics.md must list every code (a test checks it).
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Code:
    code: str
    summary: str
    template: str
    hint: str


CATALOG: dict[str, Code] = {
    c.code: c
    for c in (
        Code("E101", "YAML syntax error", "{detail}", "check indentation, colons and quotes"),
        Code(
            "E102",
            "duplicate key",
            "key '{key}' appears twice in the same mapping",
            "keep one of them",
        ),
        Code(
            "E103",
            "id does not match file name",
            "id '{id}' differs from the file name '{stem}'",
            "set id to '{stem}' or rename the file",
        ),
        Code(
            "E104",
            "not a mapping",
            "the file must hold a mapping of keys to values",
            "start the file with 'id: …'",
        ),
        Code(
            "E105",
            "file in an unknown place",
            "'{file}' is not where the generator looks for schema files",
            "move it to dictionaries/, forms/, routing/, workflow/, print/, rules/, eligibility/ or migrations/",
        ),
        Code(
            "E106",
            "missing file",
            "required file '{file}' is missing",
            "create it; see docs/schema-language.md",
        ),
        Code(
            "E201",
            "unknown key",
            "unknown key '{key}'",
            "allowed here: {allowed}",
        ),
        Code(
            "E202",
            "missing key",
            "required key '{key}' is missing",
            "add '{key}: …'",
        ),
        Code(
            "E203",
            "wrong type",
            "expected {expected}, found {found} {value}",
            "{fix}",
        ),
        Code(
            "E204",
            "unknown dictionary",
            "unknown dictionary '{name}'",
            "dictionaries are the files in schemas/dictionaries/",
        ),
        Code(
            "E205",
            "value not allowed",
            "'{value}' is not one of the allowed values",
            "allowed: {allowed}",
        ),
        Code("E206", "invalid value", "{detail}", "see docs/schema-language.md"),
        Code(
            "E301",
            "unknown field",
            "unknown field '{name}'",
            "fields here: {known}",
        ),
        Code(
            "E302",
            "unknown rule kind",
            "unknown rule kind '{name}'",
            "rule kinds: {known}",
        ),
        Code(
            "E303",
            "bad rule parameters",
            "rule '{kind}': {detail}",
            "see the rule kinds table in docs/schema-language.md",
        ),
        Code(
            "E304",
            "rule example disagrees",
            "{which} example {index} {outcome}",
            "fix the example or the rule",
        ),
        Code(
            "E305",
            "field example disagrees",
            "{which} example '{value}' {outcome}",
            "fix the example or the field's constraints",
        ),
        Code(
            "E306",
            "duplicate value",
            "'{value}' appears more than once",
            "each {what} must be unique",
        ),
        Code(
            "E307",
            "unknown code-list value",
            "'{value}' is not a value of dictionary '{dictionary}'",
            "check the spelling against schemas/dictionaries/{dictionary}.yaml",
        ),
        Code(
            "E308",
            "unknown section",
            "unknown section '{name}'",
            "sections are the files in schemas/forms/{form}/",
        ),
        Code(
            "E309",
            "unknown organisation",
            "unknown organisation '{name}'",
            "organisations are the authorities in platform.yaml",
        ),
        Code("E311", "unknown state", "unknown state '{name}'", "states: {known}"),
        Code("E312", "unknown role", "unknown role '{name}'", "roles in platform.yaml: {known}"),
        Code("E313", "unknown guard", "unknown guard '{name}'", "guards: {known}"),
        Code("E314", "unknown source", "unknown print source '{name}'", "{known}"),
        Code(
            "E315",
            "unknown reference",
            "unknown {what} '{name}'",
            "known: {known}",
        ),
        Code(
            "E317",
            "bad pattern",
            "pattern does not compile: {detail}",
            "write a valid regular expression (Python/ECMA syntax)",
        ),
        Code(
            "E318",
            "rule without examples",
            "rule '{kind}' has no {which} example",
            "add examples: {{valid: [...], invalid: [...]}}",
        ),
        Code(
            "E319",
            "rule mixes rows and fields",
            "rule '{kind}' names row fields and top-level fields together",
            "a rule checks either each row or the document",
        ),
        Code(
            "E320",
            "unknown routing step",
            "unknown chain step '{name}'",
            "steps: supervisor, region_hr, table:<id>",
        ),
        Code(
            "E321",
            "contract field missing",
            "form '{form}' has no field '{name}', which the runtime relies on",
            "keep the field ids listed under 'Contract fields' in docs/schema-language.md",
        ),
        Code(
            "E322",
            "contract name missing",
            "{what} '{name}' is missing, but the runtime relies on it",
            "keep the names listed under 'Contract fields' in docs/schema-language.md",
        ),
        # -- committee stage (COM, INT, STAT, PUB-3): E380-E399 --------------------------
        Code(
            "E380",
            "unknown authority",
            "unknown {what} '{name}'",
            "use an authority id of platform.yaml: {known}",
        ),
        Code("E381", "unknown role", "unknown {what} '{name}'", "roles in platform.yaml: {known}"),
        Code("E382", "unknown series or level", "unknown {what} '{name}'", "values of the code list: {known}"),
        Code(
            "E383",
            "calendar date out of place",
            "date '{day}' is listed twice or is not in the year {year}",
            "list each date of {year} once, under holidays or workdays",
        ),
        Code(
            "E384",
            "unknown workflow state",
            "unknown state '{name}' of the declaration workflow",
            "states of schemas/workflow/declaration.yaml: {known}",
        ),
        # --- rule language, eligibility tables (issue 12: E350-E379) ---------------------
        Code(
            "E350",
            "expression does not parse",
            "expression does not parse: {detail}",
            "see 'Expressions' in docs/schema-language.md",
        ),
        Code(
            "E351",
            "expression does not type-check",
            "{detail}",
            "see the functions and types under 'Expressions' in docs/schema-language.md",
        ),
        Code(
            "E352",
            "unknown name in expression",
            "{detail}",
            "names are section ids, then field ids (header.mode, education.basis.graduated), account.<field>,"
            " declaration.year / year_end / today; inside count(), sum(), … a row's fields",
        ),
        Code(
            "E353",
            "value not in the field's code list",
            "{detail}",
            "write the value exactly as in schemas/dictionaries/",
        ),
        Code(
            "E354",
            "expression is not a condition",
            "'{key}' must be a condition (true or false), found {found}",
            "compare something, e.g. header.work_start >= add_years(account.birth_date, 16)",
        ),
        Code(
            "E355",
            "unknown place for a rule's message",
            "{detail}",
            "'at' names a field: section.field (or section.group.field); with for_each, a row field",
        ),
        Code(
            "E356",
            "unknown series or level in an eligibility table",
            "unknown {what} '{name}'",
            "known: {known}",
        ),
        Code(
            "E357",
            "unknown measure in an eligibility row",
            "unknown measure '{name}'",
            "measures of this level: {known}",
        ),
        # -- policy versions (issue 11): E330-E349, E501-E529 ------------------------
        Code(
            "E330",
            "state cannot reach a final state",
            "a declaration in state '{name}' can never reach a final state ({finals})",
            "add a transition from '{name}' (or from a state it leads to) towards a final state,"
            " or mark it final: true (VER-4)",
        ),
        Code(
            "E331",
            "unreachable state",
            "no transition leads from '{initial}' to state '{name}'",
            "add a transition whose to: is '{name}', or remove the state (VER-4)",
        ),
        Code(
            "E332",
            "unknown placeholder",
            "placeholder '{name}' in this {what} names no value that fills it",
            "write one of these names in braces: {known} (the value then lives once, in the YAML that sets it)",
        ),
        # -- migrations (VER-3): E333-E349 --------------------------------------------
        Code(
            "E333",
            "unknown notice in a migration",
            "the migration selects notice '{name}', which platform.yaml does not list",
            "notices of platform.yaml: {known} (keep an old notice listed while its declarations live)",
        ),
        Code(
            "E334",
            "unknown state in a migration",
            "state '{name}' is not a state of {where}",
            "states of {where}: {known}",
        ),
        Code(
            "E335",
            "unknown section in a migration",
            "'{name}' is not a section of the declaration",
            "sections of forms/declaration.yaml: {known}",
        ),
        Code(
            "E336",
            "unknown field in a migration",
            "section '{section}' of {where} has no field '{name}'",
            "fields of that section: {known}",
        ),
        Code(
            "E337",
            "default the field refuses",
            "default {value} for field '{name}' of section '{section}' is refused: {reason}",
            "give a value the current form accepts (see python -m generator explain declaration/{section})",
        ),
        Code(
            "E358",
            "unknown rule id",
            "'{name}' is not a rule id listed in schemas/domain_rules.yaml",
            "cite an id of DOMAIN.md; when DOMAIN.md gains one, list it in schemas/domain_rules.yaml",
        ),
        Code(
            "E359",
            "depends_on cycle",
            "fields depend on each other in a circle: {cycle}",
            "a field may depend only on fields chosen before it; remove one depends_on of the circle",
        ),
        Code(
            "E360",
            "unknown page text",
            "page template '{template}' shows ui.{key}, which messages.yaml does not define",
            "add '{key}: …' under ui: in schemas/messages.yaml (the page would show the raw key)",
        ),
        Code(
            "E361",
            "no routing cell",
            "no cell for these {what}, which have titles: {names}",
            "write the upper department, or '~' where policy gives no path (an explicit empty cell)",
        ),
        Code(
            "E401",
            "build/ is stale",
            "build/ does not match schemas/ ({detail})",
            "run: python -m generator build",
        ),
        # -- help, FAQ and notifications (E402-E409) --
        Code("E402", "unknown page", "unknown page '{name}'", "pages a link may name: {known}"),
        Code(
            "E403",
            "duplicate question id",
            "question id '{id}' is used twice",
            "give each question its own id: its anchor on the help page is built from it",
        ),
        Code("E404", "unknown audience", "unknown audience '{name}'", "audiences of this file: {known}"),
        Code("E405", "unknown event", "unknown event '{name}'", "workflow steps and platform events: {known}"),
        Code(
            "E406",
            "recipient not possible",
            "'{name}' cannot receive notices of '{event}'",
            "recipients of '{event}': {known}",
        ),
        Code(
            "E407",
            "unknown placeholder",
            "text uses the placeholder '{name}', which '{event}' does not provide",
            "placeholders of '{event}': {known}",
        ),
        # -- accounts: passwords and second factor (E420-E429) --
        Code(
            "E420",
            "unknown role",
            "'{name}' is not a role of platform.yaml",
            "roles: {known}",
        ),
        Code(
            "E421",
            "password example judged otherwise",
            "the password example '{password}' is listed as {listed} but the policy judges it {judged}",
            "move the example to the other list, or change min_score, personal or published",
        ),
        # -- attachments and printing (issue 13): E410-E419 --
        Code(
            "E410",
            "reserved row field name",
            "a row field may not be named '{name}': the runtime keeps each row's stable id under it",
            "rename the field (e.g. 'number' or 'seq'); proofs are bound to rows by that id",
        ),
    )
}


@dataclass(frozen=True)
class Diagnostic:
    code: str
    file: str
    line: int
    column: int
    path: str
    message: str
    hint: str
    source: str = ""
    suggestion: str | None = None
    severity: str = "error"

    def render(self) -> str:
        did_you_mean = f" — did you mean '{self.suggestion}'?" if self.suggestion else ""
        where = f"{self.file}:{self.line}:{self.column}"
        head = f"{where} {self.code} {self.path or '/'}:\n  {self.message}{did_you_mean}"
        parts = [head]
        if self.source:
            parts.append(f"  | {self.source}")
            # Chinese characters take two columns on a terminal: the caret counts display width.
            parts.append("  | " + " " * display_width(self.source[: self.column - 1]) + "^")
        if self.hint:
            parts.append(f"  fix: {self.hint}")
        return "\n".join(parts)


@dataclass
class Report:
    """Diagnostics collected during one run; nothing is printed until the end."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(self, diagnostic: Diagnostic) -> None:
        self.items.append(diagnostic)

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.items.extend(diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    def render(self) -> str:
        ordered = sorted(self.items, key=lambda d: (d.file, d.line, d.column, d.code))
        return "\n".join(d.render() for d in ordered)


def display_width(text: str) -> int:
    """Terminal columns of text: wide and fullwidth characters (Chinese) take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def fill(template: str, values: dict[str, Any]) -> str:
    class _Keep(dict[str, Any]):
        def __missing__(self, key: str) -> str:
            return "{" + key + "}"

    return template.format_map(_Keep({k: _show(v) for k, v in values.items()}))


def _show(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def suggest(name: object, known: Iterable[str]) -> str | None:
    """The closest known name, when one is close enough to be a typo."""
    matches = difflib.get_close_matches(str(name), list(known), n=1, cutoff=0.6)
    return matches[0] if matches else None


def pointer(path: Iterable[str | int]) -> str:
    """A readable path like `fields.rank.format` or `rows.fields.end`."""
    return ".".join(str(p) for p in path)
