"""How long the rules across sections (ELIG-2, DEC-20) and the eligibility table (ELIG-1) add
to validating a complete declaration, against validating its sections alone, in the same run.

Goal: the whole judgement of 确定申报 (sections + cross-section rules + eligibility) stays
within 2 ms per declaration, the order of magnitude of the sections alone.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator.compiler import compile_schemas  # noqa: E402
from generator.declaration_rules import build  # noqa: E402
from vocabulary.declaration_rules import context_data, run_declaration_rules  # noqa: E402
from vocabulary.eligibility import assess, find_level  # noqa: E402
from vocabulary.specimen import complete_declaration  # noqa: E402
from vocabulary.validation import FormValidator  # noqa: E402

DECLARATION = ROOT / "tests" / "generator" / "data" / "declaration_valid.json"


def median_seconds(work: Callable[[], object], runs: int, clock: Callable[[], float]) -> float:
    times = []
    for _ in range(runs):
        start = clock()
        work()
        times.append(clock() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per figure (median)")
    parser.add_argument("--rounds", type=int, default=50, help="declarations validated per run")
    args = parser.parse_args()
    result = compile_schemas(ROOT / "schemas")
    if not result.ok or result.model is None:
        print(result.report.render(), file=sys.stderr)
        return 1
    model = result.model
    rules = build(model)
    persona: dict[str, Any] = json.loads(DECLARATION.read_text(encoding="utf-8"))
    persona.pop("_about", None)
    # Judge it as a declaration of a series x level that has a table, so eligibility runs;
    # the persona is completed against the schemas (title, specialty of that series).
    table = next(iter(rules["eligibility"].values()))
    series, level = table["series"][0], next(iter(table["levels"]))
    persona["header"] = {**persona["header"], "series": series, "level": level}
    sections = model.sections["declaration"]
    dictionaries = model.dictionaries()
    context = model.example_context()
    document = complete_declaration(sections, persona, dictionaries, context, {"unit": "org-bench"})
    validators = {sid: FormValidator(compiled, dictionaries) for sid, compiled in sections.items()}
    account = {"birth_date": "1985-03-02"}
    found = find_level(rules["eligibility"], series, level)
    assert found is not None
    for sid, validator in validators.items():
        assert not [e for e in validator.errors(document[sid], context) if e.severity == "error"], sid

    def sections_only() -> None:
        for _ in range(args.rounds):
            for sid, validator in validators.items():
                validator.errors(document[sid], context)

    def everything() -> None:
        for _ in range(args.rounds):
            for sid, validator in validators.items():
                validator.errors(document[sid], context)
            data = context_data(document, account, context.year, context.today)
            list(run_declaration_rules(rules["rules"], rules["shape"], data))
            assess(found[1], rules["shape"], data)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"validate a complete declaration, median of {args.runs} runs x {args.rounds} "
        f"(load average {load:.1f} on {os.cpu_count()} CPUs; CPU time is what load does not inflate)"
    )
    for name, clock in (("wall", time.perf_counter), ("CPU", time.process_time)):
        base = median_seconds(sections_only, args.runs, clock) / args.rounds
        full = median_seconds(everything, args.runs, clock) / args.rounds
        print(f"  {name} baseline: sections only              {base * 1000:8.3f} ms")
        print(f"  {name} sections + {len(rules['rules'])} rules + eligibility      {full * 1000:8.3f} ms")
        print(f"  {name} ratio full / baseline                {full / base:8.2f} x")
        print(f"  {name} goal ≤ 2 ms per declaration: {'met' if full <= 0.002 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
