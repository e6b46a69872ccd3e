"""`python -m generator migrate --data-dir DIR [--dry-run] [--only ID]` (VER-3).

The generator's part is the policy: it compiles schemas/, insists that build/ matches them
(the runtime serves build/), and checks the names each migration takes from older versions —
states and renamed fields — against the versions stored in the data dir, reporting mistakes
with file:line:col like every other diagnostic. The data belongs to the runtime, so the move
itself (or its dry run) is `python -m runtime migrate`, started here in a process of its own:
the generator never imports the runtime.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from generator.checks.migrations import Policy, field_names, older_names
from generator.compiler import compile_schemas, stale_files
from generator.errors import CATALOG, fill

STORE = "policy_versions"  # the runtime keeps every version a declaration uses here (VER-2)


def stored_policies(data_dir: Path, current: str) -> list[Policy]:
    """The names of every older version stored in the data dir, read from its build files."""
    found = []
    store = data_dir / STORE
    for version in sorted(store.iterdir()) if store.is_dir() else []:
        workflow_file, forms = version / "workflow.json", version / "forms" / "declaration"
        if version.name == current or not workflow_file.is_file():
            continue
        workflow = json.loads(workflow_file.read_text("utf-8")).get("declaration") or {}
        policy = Policy(where=f"version {version.name[:12]}", states=list((workflow.get("states") or {}).keys()))
        for section in sorted(forms.glob("*.json")):
            policy.fields[section.stem] = field_names(json.loads(section.read_text("utf-8")))
        found.append(policy)
    return found


def run_migrate(
    schemas: Path, build: Path, data_dir: Path, *, dry_run: bool, only: str | None, database: str | None
) -> int:
    result = compile_schemas(schemas)
    if result.ok and result.model is not None:
        current = json.loads(result.artifacts["manifest.json"])["schema_hash"]
        older_names(result.model.project, stored_policies(data_dir, current))
    if not result.ok:
        print(result.report.render(), file=sys.stderr)
        print(f"\n{len(result.report.errors)} error(s); no declaration was touched.", file=sys.stderr)
        return 1
    problems = stale_files(result.artifacts, build)
    if problems:
        code = CATALOG["E401"]
        print(f"{build}: {code.code} {fill(code.template, {'detail': '; '.join(problems[:5])})}", file=sys.stderr)
        print(f"  fix: {code.hint}", file=sys.stderr)
        return 1
    command = [sys.executable, "-m", "runtime", "--build", str(build), "--schemas", str(schemas), "migrate"]
    command += ["--data-dir", str(data_dir)]
    command += ["--dry-run"] if dry_run else []
    command += ["--only", only] if only else []
    command += ["--database", database] if database else []
    return subprocess.run(command, check=False).returncode
