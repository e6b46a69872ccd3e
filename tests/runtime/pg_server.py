"""A throw-away PostgreSQL server for one test run (or one benchmark), from Debian's packages.

initdb into a temporary folder, start it listening on a unix socket in that folder only (no TCP
port to collide with another run), durability off (the data dies with the run anyway). Each test
gets its own database copied from a migrated template, so tests never see each other's rows.
PostgreSQL refuses to run as root: under root the server runs as the `postgres` system user that
Debian's package creates.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path


class NoPostgres(RuntimeError):
    """PostgreSQL's server programs are not installed (scripts/system-deps.sh installs them)."""


def _bindir() -> Path:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parent.parent.name.split(".")[0])
    )
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise NoPostgres("PostgreSQL server programs not found: run scripts/system-deps.sh as root")


class PostgresServer:
    def __init__(self) -> None:
        self.bin = _bindir()
        self.dir = Path(tempfile.mkdtemp(prefix="zcpg-"))
        self.data = self.dir / "data"
        self.user: str | None = None
        if os.geteuid() == 0:
            self.user = "postgres"
            entry = pwd.getpwnam(self.user)
            os.chown(self.dir, entry.pw_uid, entry.pw_gid)
        self.started = False
        self._databases: set[str] = set()

    def _run(self, *argv: str) -> None:
        command = [str(self.bin / argv[0]), *argv[1:]]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, cwd=self.dir)
        if done.returncode != 0:
            raise RuntimeError(f"{argv[0]} failed: {done.stdout}{done.stderr}")

    def start(self) -> PostgresServer:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "-N")
        self._options = options = (
            f"-k {self.dir} -c listen_addresses='' -c fsync=off -c synchronous_commit=off"
            " -c full_page_writes=off -c max_connections=200 -c shared_buffers=64MB"
            # its dynamic shared memory in the data directory, removed with it: in /dev/shm, an
            # immediate stop (a database going away mid-run, the end of a run) left 2 MB behind
            " -c dynamic_shared_memory_type=mmap"
        )
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.dir / "log"), "-w", "start")
        self.started = True
        return self

    def pause(self) -> None:
        """Stop the server, keeping its data (a database that goes away mid-run)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def resume(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-o", self._options, "-l", str(self.dir / "log"), "-w", "start")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@/{database}?host={self.dir}"

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def schema_url(self, database: str = "zhicheng") -> str:
        """A URL whose connections see only a new empty schema: one test's own database, made
        in milliseconds (a CREATE DATABASE per test would cost ten times more)."""
        if database not in self._databases:
            self.admin(f"CREATE DATABASE {database}")
            self._databases.add(database)
        schema = "s_" + uuid.uuid4().hex[:16]
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")  # type: ignore[arg-type]
        return f"{self.url(database)}&options=-csearch_path%3D{schema}"

    def new_database(self, template: str | None = None) -> str:
        name = "t_" + uuid.uuid4().hex[:16]
        self.admin(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
        return name

    def drop_database(self, name: str) -> None:
        self.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        if self.started:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
            self.started = False
        shutil.rmtree(self.dir, ignore_errors=True)
