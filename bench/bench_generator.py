"""How long the generator and the validation library take on the real schemas/.

    .venv/bin/python bench/bench_generator.py [--runs N]

Prints figures, asserts nothing (goals are noted beside them):

1. a full compile + write of schemas/ into a temporary build/ (goal: under 2 s),
   stage by stage, beside a naive baseline that only parses the YAML with PyYAML;
2. validating a complete valid declaration (all twelve sections) with FormValidator,
   reusing one validator per section as the runtime does, beside a naive baseline that
   builds a fresh validator (and a fresh jsonschema validator) for every document.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from generator.checks import CHECKS  # noqa: E402
from generator.compiler import compile_schemas, write_build  # noqa: E402
from generator.meta_validate import meta_validate  # noqa: E402
from generator.model import Model, resolve  # noqa: E402
from generator.project import load_project  # noqa: E402
from vocabulary.specimen import complete_declaration  # noqa: E402
from vocabulary.validation import FormValidator  # noqa: E402

DECLARATION = ROOT / "tests" / "generator" / "data" / "declaration_valid.json"


def median_seconds(work: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def bench_compile(schemas: Path, runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        build = Path(tmp) / "build"

        def compile_and_write() -> None:
            result = compile_schemas(schemas)
            assert result.ok, result.report.render()
            write_build(result.artifacts, build)

        full = median_seconds(compile_and_write, runs)
        files = sum(1 for p in build.rglob("*") if p.is_file())

    stages: dict[str, float] = {}

    def staged() -> None:
        start = time.perf_counter()
        project = load_project(schemas)
        loaded = time.perf_counter()
        meta_validate(project)
        checked = time.perf_counter()
        model = resolve(project)
        for check in CHECKS:
            check(model)
        resolved = time.perf_counter()
        for name, seconds in (
            ("load (YAML, positions)", loaded - start),
            ("meta-validate", checked - loaded),
            ("resolve + cross-checks + examples", resolved - checked),
        ):
            stages.setdefault(name, 0.0)
            stages[name] += seconds / runs

    for _ in range(runs):
        staged()

    def naive_parse() -> None:
        for path in sorted(schemas.rglob("*.yaml")):
            yaml.safe_load(path.read_text(encoding="utf-8"))

    baseline = median_seconds(naive_parse, runs)
    print(f"compile + write schemas/ -> build/ ({files} files), median of {runs} runs")
    print(f"  full compile + write            {ms(full)}   goal < 2000 ms: {'met' if full < 2 else 'MISSED'}")
    for name, seconds in stages.items():
        print(f"    {name:<31} {ms(seconds)}   (mean)")
    print(f"  baseline: yaml.safe_load only   {ms(baseline)}")
    print(f"  ratio full / baseline           {full / baseline:8.1f} x")


def bench_validation(model: Model, runs: int, rounds: int) -> None:
    persona: dict[str, Any] = json.loads(DECLARATION.read_text(encoding="utf-8"))
    persona.pop("_about", None)
    sections = model.sections["declaration"]
    dictionaries = model.dictionaries()
    context = model.example_context()
    # the persona completed against today's schemas (vocabulary.specimen), so it stays valid
    document = complete_declaration(sections, persona, dictionaries, context, {"unit": "org-bench"})
    validators = {sid: FormValidator(compiled, dictionaries) for sid, compiled in sections.items()}
    for sid, validator in validators.items():
        errors = validator.errors(document[sid], context)
        assert not errors, (sid, errors)

    def reused() -> None:
        for _ in range(rounds):
            for sid, validator in validators.items():
                validator.errors(document[sid], context)

    def fresh() -> None:
        for _ in range(rounds):
            for sid, compiled in sections.items():
                FormValidator(compiled, dictionaries).errors(document[sid], context)

    reuse = median_seconds(reused, runs) / rounds
    naive = median_seconds(fresh, runs) / rounds
    print(f"validate a complete declaration ({len(sections)} sections), median of {runs} runs x {rounds}")
    print(f"  validators reused (runtime)     {ms(reuse)}   {1 / reuse:8.0f} declarations/s")
    print(f"  baseline: fresh validators      {ms(naive)}   {1 / naive:8.0f} declarations/s")
    print(f"  ratio baseline / reused         {naive / reuse:8.1f} x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per figure (median)")
    parser.add_argument("--rounds", type=int, default=20, help="declarations validated per run")
    parser.add_argument("--schemas", type=Path, default=ROOT / "schemas")
    args = parser.parse_args()
    result = compile_schemas(args.schemas)
    if not result.ok or result.model is None:
        print(result.report.render(), file=sys.stderr)
        return 1
    bench_compile(args.schemas, args.runs)
    print()
    bench_validation(result.model, args.runs, args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
