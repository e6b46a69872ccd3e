"""python -m runtime serve | seed-demo | import-version | migrate | census | clean-files"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from runtime.bundle import BuildError

DATABASE_ENV = "ZHICHENG_DATABASE"
WORKER_SETTINGS = "ZHICHENG_WORKER_SETTINGS"  # serve's options, handed to its worker processes
DATABASE_HELP = f"postgresql://user:password@host/db (or ${DATABASE_ENV}); default: SQLite in --data-dir"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m runtime", description=__doc__)
    parser.add_argument("--build", type=Path, default=Path("build"), help="the build folder")
    parser.add_argument(
        "--schemas", type=Path, default=Path("schemas"), help="schemas folder, only to detect a stale build"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the app")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--data-dir", type=Path, default=Path("var"))
    serve.add_argument("--database", default=os.environ.get(DATABASE_ENV), help=DATABASE_HELP)
    serve.add_argument("--dev", action="store_true", help="expose captcha answers and the SMS outbox")
    serve.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="server processes sharing the port (default: one per CPU core)",
    )
    serve.add_argument(
        "--proxy",
        action="store_true",
        help="behind an https reverse proxy: Secure cookies, HSTS, https forms, client address from X-Forwarded-For",
    )
    serve.add_argument(
        "--forwarded-allow-ips",
        default="127.0.0.1",
        help="with --proxy: comma-separated addresses of the proxies whose X-Forwarded-For is trusted",
    )
    serve.add_argument(
        "--access-log",
        action="store_true",
        help="log a line per request (off by default: the reverse proxy in front keeps the access log)",
    )
    seed = commands.add_parser("seed-demo", help="create demo organisations and accounts")
    seed.add_argument("--data-dir", type=Path, default=Path("var"))
    seed.add_argument("--database", default=os.environ.get(DATABASE_ENV), help=DATABASE_HELP)
    seed.add_argument("--if-empty", action="store_true", help="only when no demo data exists yet")
    imported = commands.add_parser(
        "import-version", help="store a policy version (a build/ folder) in the data dir (VER-2)"
    )
    imported.add_argument("--data-dir", type=Path, default=Path("var"))
    imported.add_argument("version_build", type=Path, help="the build/ folder of the version to keep")
    migrate = commands.add_parser(
        "migrate", help="move declarations of older policy versions onto the current one (VER-3)"
    )
    migrate.add_argument("--data-dir", type=Path, default=Path("var"))
    migrate.add_argument("--database", default=os.environ.get(DATABASE_ENV), help=DATABASE_HELP)
    migrate.add_argument("--dry-run", action="store_true", help="say what would move and change; change nothing")
    migrate.add_argument("--only", help="run only the migration with this id")
    counted = commands.add_parser(
        "census", help="declarations in flight by notice, state, series, level and version, as JSON"
    )
    counted.add_argument("--data-dir", type=Path, default=Path("var"))
    counted.add_argument("--database", default=os.environ.get(DATABASE_ENV), help=DATABASE_HELP)
    cleaning = commands.add_parser(
        "clean-files", help="remove uploaded files nothing refers to and attachments of deleted rows"
    )
    cleaning.add_argument("--data-dir", type=Path, default=Path("var"))
    cleaning.add_argument("--database", default=os.environ.get(DATABASE_ENV), help=DATABASE_HELP)
    cleaning.add_argument("--dry-run", action="store_true", help="say what would go, remove nothing")
    args = parser.parse_args(argv)
    if args.command == "census":  # read only; no build needed (generator diff --data-dir asks it)
        from runtime.policy.migrations import census
        from runtime.storage import StorageUnavailable, open_storage

        if not args.database and not (args.data_dir / "zhicheng.sqlite3").is_file():
            print(f"cannot open the data: {args.data_dir} holds no database", file=sys.stderr)
            return 2
        try:
            storage = open_storage(args.database or args.data_dir / "zhicheng.sqlite3")
        except StorageUnavailable as exc:
            print(f"cannot open the data: {exc}", file=sys.stderr)
            return 2
        print(json.dumps(census(storage, args.data_dir), ensure_ascii=False))
        storage.close()
        return 0
    if args.command == "migrate" and not args.database and not (args.data_dir / "zhicheng.sqlite3").is_file():
        print(f"cannot migrate: {args.data_dir} holds no database", file=sys.stderr)  # never make an empty one
        return 2
    if args.command == "import-version":
        from runtime.policy.versions import import_build

        try:
            version = import_build(args.version_build, args.data_dir)
        except BuildError as exc:
            print(f"cannot import: {exc}", file=sys.stderr)
            return 2
        print(f"policy version {version} stored in {args.data_dir}")
        return 0

    from runtime.app import create_app
    from runtime.storage import SchemaTooNew, StorageUnavailable
    from runtime.storage.disk import DataDirError

    try:
        app = create_app(
            args.build,
            args.data_dir,
            dev=getattr(args, "dev", False),
            schemas_dir=args.schemas,
            secure_cookies=getattr(args, "proxy", False),
            database=args.database or None,
        )
    except (BuildError, StorageUnavailable, SchemaTooNew, DataDirError) as exc:
        print(f"cannot start: {exc}", file=sys.stderr)
        return 2
    svc = app.state.services
    if args.command == "migrate":
        from runtime.policy.migrations import run

        for line in run(svc, dry_run=args.dry_run, only=args.only).lines():
            print(line)
        svc.storage.close()
        return 0
    if args.command == "clean-files":
        from runtime.declarations.file_cleanup import clean

        done = clean(svc, dry_run=args.dry_run)
        verb = "would remove" if args.dry_run else "removed"
        print(
            f"{verb}: {done.records} attachment(s) of deleted rows, {done.files} unreferenced file(s),"
            f" {done.partial} partial file(s); kept {done.kept_young} younger than the grace period"
        )
        return 0
    if args.command == "seed-demo":
        from runtime.demo.seed import DEMO_PASSWORD, seed_demo

        if args.if_empty and svc.storage.one("SELECT 1 AS x FROM accounts LIMIT 1"):
            print("demo data already present")
        else:
            for account in seed_demo(svc):
                print(f"  {account['role']:<16} {account['login']:<14} {account['org']}")
            print(f"demo password for every account: {DEMO_PASSWORD}")
        return 0
    import uvicorn

    from runtime.web.server_protocol import SHARES_FILE, UVICORN_OPTIONS, ConnectionShares

    workers = max(1, args.workers)
    for warning in deployment_warnings(args.host, args.proxy):
        print(f"warning: {warning}", file=sys.stderr)
    print(
        f"serving http://{args.host}:{args.port}  (data: {args.data_dir}, {workers} worker(s)"
        f"{', dev mode' if args.dev else ''})"
    )
    options: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "log_level": "info",
        "access_log": args.access_log,
        **UVICORN_OPTIONS,  # see runtime/web/server_protocol.py for what they change
        "proxy_headers": args.proxy,
        "forwarded_allow_ips": args.forwarded_allow_ips if args.proxy else None,
    }
    if workers == 1:
        svc.extras["printer"].pool.start()  # a print worker gets ready while the server starts
        settle_heap()
        uvicorn.run(app, **options)
        return 0
    # N processes: each builds its own app (its own connections and print workers) from the
    # same settings; everything they share lives in the database and the data directory.
    # This process has migrated the database already, so the workers find it current.
    svc.storage.close()
    os.environ[WORKER_SETTINGS] = json.dumps(
        {
            "build": str(args.build),
            "schemas": str(args.schemas),
            "data_dir": str(args.data_dir),
            "database": args.database or None,
            "dev": args.dev,
            "proxy": args.proxy,
        }
    )
    shares = ConnectionShares.create(workers)  # how the processes split the connections
    os.environ[SHARES_FILE] = str(shares)
    try:
        uvicorn.run("runtime.__main__:worker_app", factory=True, workers=workers, **options)
    finally:
        os.environ.pop(SHARES_FILE, None)
        shares.unlink(missing_ok=True)
    return 0


def deployment_warnings(host: str, proxy: bool) -> list[str]:
    """What an operator must hear at start-up: plain http on an address others can reach."""
    if proxy or _is_loopback(host):
        return []
    return [
        f"serving plain http on {host}, reachable from other machines: passwords and session cookies "
        "cross the network unencrypted. Put an https reverse proxy in front and start with --proxy "
        "(see README, Production)."
    ]


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def worker_app() -> Any:
    """The app of one server process of `serve --workers N`."""
    from runtime.app import create_app

    settings = json.loads(os.environ[WORKER_SETTINGS])
    app = create_app(
        Path(settings["build"]),
        Path(settings["data_dir"]),
        dev=settings["dev"],
        schemas_dir=Path(settings["schemas"]),
        secure_cookies=settings["proxy"],
        database=settings["database"],
    )
    app.state.services.extras["printer"].pool.start()
    settle_heap()
    return app


def settle_heap() -> None:
    """What the app loaded at start (policy, templates, rules) lives as long as the process:
    moved out of the collector's sight, a full collection no longer walks it between requests,
    which would pause every connection of this process for milliseconds."""
    import gc

    gc.collect()
    gc.freeze()


if __name__ == "__main__":
    sys.exit(main())
