"""python -m generator check | build | diff --against REV | explain FORM_ID | migrate --data-dir DIR"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator.compiler import compile_schemas, stale_files, write_build
from generator.errors import CATALOG, fill


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generator", description=__doc__)
    parser.add_argument("--schemas", type=Path, default=Path("schemas"), help="schemas folder")
    parser.add_argument("--build", type=Path, default=Path("build"), help="build folder")
    # The same options after the command (`check --schemas DIR`); SUPPRESS keeps the
    # value given before the command when they are not repeated.
    folders = argparse.ArgumentParser(add_help=False)
    folders.add_argument("--schemas", type=Path, default=argparse.SUPPRESS, help="schemas folder")
    folders.add_argument("--build", type=Path, default=argparse.SUPPRESS, help="build folder")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", parents=[folders], help="validate schemas/ and fail when build/ is stale")
    commands.add_parser("build", parents=[folders], help="compile schemas/ into build/")
    diff = commands.add_parser("diff", parents=[folders], help="what a schema change does, against a git revision")
    diff.add_argument("--against", default="HEAD", help="git revision to compare with")
    diff.add_argument("--lang", choices=("en", "zh"), default="en", help="en, or zh for a review meeting in Chinese")
    diff.add_argument("--data-dir", type=Path, help="also count the declarations in flight each change touches")
    diff.add_argument("--database", help="postgresql://… when the runtime uses PostgreSQL")
    explain = commands.add_parser("explain", parents=[folders], help="a form's fields and rules, readably")
    explain.add_argument(
        "form_id", help="a form id, form/section (e.g. declaration/header), eligibility/<id> or rules/<id>"
    )
    migrate = commands.add_parser(
        "migrate", parents=[folders], help="move declarations of older policy versions onto the current one (VER-3)"
    )
    migrate.add_argument("--data-dir", type=Path, required=True, help="the runtime's data dir")
    migrate.add_argument("--dry-run", action="store_true", help="say what would move and change; change nothing")
    migrate.add_argument("--only", help="run only the migration with this id")
    migrate.add_argument("--database", help="postgresql://… when the runtime uses PostgreSQL")
    args = parser.parse_args(argv)

    if args.command == "migrate":
        from generator.migrate import run_migrate

        return run_migrate(
            args.schemas, args.build, args.data_dir, dry_run=args.dry_run, only=args.only, database=args.database
        )
    if args.command == "diff":
        from generator.diff import run_diff

        return run_diff(args.schemas, args.against, args.lang, args.data_dir, args.database)
    result = compile_schemas(args.schemas)
    if not result.ok:
        print(result.report.render(), file=sys.stderr)
        print(f"\n{len(result.report.errors)} error(s); nothing was written.", file=sys.stderr)
        return 1
    if args.command == "explain":
        from generator.explain import explain_form, unknown_form

        assert result.model is not None
        text = explain_form(result.model, args.form_id)
        if text is None:
            print(unknown_form(result.model, args.form_id), file=sys.stderr)
            return 1
        print(text)
        return 0
    if args.command == "build":
        write_build(result.artifacts, args.build)
        print(f"build/ written: {len(result.artifacts)} files")
        return 0
    problems = stale_files(result.artifacts, args.build)
    if problems:
        code = CATALOG["E401"]
        detail = "; ".join(problems[:5]) + (" …" if len(problems) > 5 else "")
        print(f"{args.build}: {code.code} {fill(code.template, {'detail': detail})}", file=sys.stderr)
        print(f"  fix: {code.hint}", file=sys.stderr)
        return 1
    print(f"schemas/ ok; build/ up to date ({len(result.artifacts)} files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
