"""What keeping policy versions with the data costs (VER-1, VER-2), each figure beside its baseline
in the same run:

- server start (`create_app`) on a data dir whose declarations use 5 stored policy versions,
  beside one whose declarations all use the current version;
- validating a complete declaration under an old version (loaded from the data dir's store)
  beside the same declaration under the current build.

Goal: five versions start within 2x of one (each older version is one more build to load),
and an old version validates as fast as the current one (ratio about 1).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator.compiler import compile_schemas, write_build  # noqa: E402
from runtime.app import create_app  # noqa: E402
from runtime.bundle import Bundle  # noqa: E402
from runtime.policy import versions  # noqa: E402

DECLARATION = ROOT / "tests" / "generator" / "data" / "declaration_valid.json"
ROWS_MAX = re.compile(r"\n  max: (\d+)\n")


def median_seconds(work: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def older_build(tmp: Path, n: int) -> Path:
    """A past policy: the achievements limit n rows lower than today's (a YAML edit, rebuilt)."""
    schemas = tmp / f"v{n}" / "schemas"
    shutil.copytree(ROOT / "schemas", schemas)
    path = schemas / "forms" / "declaration" / "achievements.yaml"
    text = path.read_text("utf-8")
    found = ROWS_MAX.search(text)
    assert found, path
    path.write_text(ROWS_MAX.sub(f"\n  max: {int(found.group(1)) - n}\n", text, count=1), "utf-8")
    result = compile_schemas(schemas)
    assert result.ok, result.report.render()
    write_build(result.artifacts, tmp / f"v{n}" / "build")
    return tmp / f"v{n}" / "build"


def data_dir_using(tmp: Path, name: str, builds: list[Path], per_version: int) -> Path:
    """A data dir whose declarations use each of `builds` (stored with import-version)."""
    data = tmp / name
    app = create_app(ROOT / "build", data)
    storage = app.state.services.storage
    person = uuid.uuid4().hex
    now = "2026-11-10T10:00:00+08:00"
    with storage.transaction():
        storage.insert(
            "accounts",
            {
                "id": person,
                "kind": "person",
                "role": "applicant",
                "login_name": f"bench_{name}",
                "name": "基准",
                "password_hash": "x",
                "created_at": now,
            },
        )
        for build in builds:
            version = versions.import_build(build, data)
            for _ in range(per_version):
                storage.insert(
                    "declarations",
                    {
                        "id": uuid.uuid4().hex,
                        "person_id": person,
                        "notice_id": "bench",
                        "year": 2026,
                        "schema_hash": version,
                        "state": "draft",
                        "created_at": now,
                        "updated_at": now,
                    },
                )
    storage.close()
    return data


def validate_all(bundle: Bundle, document: dict[str, Any], rounds: int) -> Callable[[], None]:
    context = bundle.context(year=2026)
    sections = bundle.declaration_sections()

    def work() -> None:
        for _ in range(rounds):
            for section in sections:
                section.validator.errors(document.get(section.id) or {}, context)

    return work


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per figure (median)")
    parser.add_argument("--rounds", type=int, default=50, help="declarations validated per run")
    parser.add_argument("--per-version", type=int, default=20, help="declarations stored per version")
    args = parser.parse_args()
    document: dict[str, Any] = json.loads(DECLARATION.read_text("utf-8"))
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        older = [older_build(tmp, n) for n in range(1, 5)]
        one = data_dir_using(tmp, "one", [ROOT / "build"], args.per_version)
        five = data_dir_using(tmp, "five", [ROOT / "build", *older], args.per_version)

        def start(data: Path) -> Callable[[], None]:
            def work() -> None:
                create_app(ROOT / "build", data).state.services.storage.close()

            return work

        start_one = median_seconds(start(one), args.runs)
        start_five = median_seconds(start(five), args.runs)

        app = create_app(ROOT / "build", five)
        svc = app.state.services
        current = svc.bundle
        old = versions.current(svc).extras[versions.EXTRA].of(versions.import_build(older[-1], five)).bundle
        new_time = median_seconds(validate_all(current, document, args.rounds), args.runs) / args.rounds
        old_time = median_seconds(validate_all(old, document, args.rounds), args.runs) / args.rounds
        svc.storage.close()

    print(f"server start, median of {args.runs} runs ({args.per_version} declarations per version)")
    print(f"  baseline: 1 version            {start_one * 1000:8.1f} ms")
    print(f"  5 stored versions              {start_five * 1000:8.1f} ms")
    print(f"  ratio 5 / 1                    {start_five / start_one:8.2f} x")
    print(f"validate a complete declaration, median of {args.runs} runs x {args.rounds}")
    print(f"  baseline: current version      {new_time * 1000:8.3f} ms")
    print(f"  an old version from the store  {old_time * 1000:8.3f} ms")
    print(f"  ratio old / current            {old_time / new_time:8.2f} x")
    met = start_five <= 2 * start_one and old_time <= 1.5 * new_time
    print(f"  goal (5 versions ≤ 2x start, old ≈ current validation): {'met' if met else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
