"""Golden schema cases (cases/<name>/): each overlay yields the diagnostics it lists.

Every code of the catalog has at least one case, each asserting the file and line.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from golden import (
    ROOT,
    apply_case,
    case_names,
    check_stale_case,
    copy_schemas,
    expected,
    expected_codes,
    is_cli_case,
    located,
)

from generator.compiler import Result
from generator.errors import CATALOG

COMPILED_CASES = [name for name in case_names() if not is_cli_case(name)]
CLI_CASES = [name for name in case_names() if is_cli_case(name)]
UNFILLED = re.compile(r"\{[a-z_]+\}")


@pytest.mark.parametrize("name", COMPILED_CASES)
def test_a_golden_case_reports_every_expected_diagnostic_at_its_file_and_line(
    name: str, compiled_case: Callable[[str], Result]
) -> None:
    result = compiled_case(name)
    missing = [line for line in expected(name) if line not in located(result.report)]
    assert not missing, f"not reported: {missing}\nreport:\n{result.report.render()}"
    if not expected(name):
        assert result.ok, result.report.render()


@pytest.mark.parametrize("name", COMPILED_CASES)
def test_a_golden_case_fills_every_message_and_hint(name: str, compiled_case: Callable[[str], Result]) -> None:
    for diagnostic in compiled_case(name).report.items:
        assert diagnostic.code in CATALOG
        assert not UNFILLED.search(diagnostic.message), diagnostic.render()
        assert not UNFILLED.search(diagnostic.hint), diagnostic.render()
        assert diagnostic.line >= 1 and diagnostic.column >= 1


@pytest.mark.parametrize("name", CLI_CASES)
def test_check_reports_a_stale_build_with_the_files_that_differ(name: str, tmp_path: Path) -> None:
    run = check_stale_case(name, tmp_path)
    assert run.status == 1
    for line in expected(name):
        code, detail = line.split(" ", 1)
        assert f"{code} {CATALOG[code].template.split(' (')[0]}" in run.stderr
        assert detail in run.stderr, run.stderr
    assert CATALOG["E401"].hint in run.stderr


def test_every_catalog_code_has_a_golden_case() -> None:
    covered = set().union(*(expected_codes(name) for name in case_names()))
    assert sorted(set(CATALOG) - covered) == []


def test_golden_cases_expect_only_codes_of_the_catalog() -> None:
    for name in case_names():
        assert expected_codes(name) <= set(CATALOG), name


def test_golden_case_lines_name_a_code_a_file_and_a_line() -> None:
    shape = re.compile(r"^E\d{3} schemas/\S+:\d+$")
    for name in COMPILED_CASES:
        for line in expected(name):
            assert shape.match(line), f"{name}: {line!r}"


# --- the YAML trap ------------------------------------------------------------------------


def test_an_unquoted_year_month_stays_the_text_that_was_written(
    compiled_case: Callable[[str], Result],
) -> None:
    result = compiled_case("yaml_trap_is_designed_out")
    assert result.model is not None
    field = result.model.project.forms["trap_form"].data["fields"]["work_start"]
    assert field["default"] == "2015.10"
    assert field["examples"]["valid"] == ["2015.10", "2008.07"]
    assert field["examples"]["invalid"] == ["2015.1"]
    compiled = result.model.forms["trap_form"]["schema"]["properties"]["work_start"]
    assert compiled["default"] == "2015.10"
    assert "E305" not in {d.code for d in result.report.items}


def test_an_unquoted_code_where_text_is_expected_says_to_quote_it(
    compiled_case: Callable[[str], Result],
) -> None:
    result = compiled_case("yaml_trap_is_designed_out")
    hints = {d.hint for d in result.report.items if d.code == "E203"}
    assert "quote it: '371002'" in hints
    assert "quote it: '371003'" in hints


# --- several errors, one run ----------------------------------------------------------------


def test_several_errors_in_different_files_are_all_reported_and_check_exits_1(tmp_path: Path) -> None:
    schemas = copy_schemas(tmp_path)
    apply_case("several_errors_in_different_files", schemas)
    process = subprocess.run(
        [sys.executable, "-m", "generator", "check", "--schemas", str(schemas), "--build", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert process.returncode == 1
    for line in expected("several_errors_in_different_files"):
        code, where = line.split(" ")
        assert re.search(rf"^{re.escape(where)}:\d+ {code} ", process.stderr, re.MULTILINE), process.stderr
    assert f"{len(expected('several_errors_in_different_files'))} error(s); nothing was written." in (process.stderr)
    assert not (tmp_path / "build").exists()


# --- the rendered diagnostic ----------------------------------------------------------------


def test_a_misspelt_dictionary_name_renders_file_line_column_code_path_source_and_suggestion(
    compiled_case: Callable[[str], Result],
) -> None:
    result = compiled_case("unknown_dictionary")
    [diagnostic] = [d for d in result.report.items if d.code == "E204"]
    assert diagnostic.render().splitlines() == [
        "schemas/forms/achievement_claim.yaml:7:17 E204 fields.category.dictionary:",
        "  unknown dictionary 'achievment_categories' — did you mean 'achievement_categories'?",
        "  |     dictionary: achievment_categories",
        "  |                 ^",
        f"  fix: {CATALOG['E204'].hint}",
    ]


def test_the_report_lists_diagnostics_in_file_and_line_order(
    compiled_case: Callable[[str], Result],
) -> None:
    rendered = compiled_case("several_errors_in_different_files").report.render()
    heads = re.findall(r"^(schemas/\S+):(\d+):\d+ E\d{3} ", rendered, re.MULTILINE)
    assert heads == sorted(heads, key=lambda head: (head[0], int(head[1])))
    assert len(heads) == 4
