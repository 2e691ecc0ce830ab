"""Parley's production processes on loopback, without Docker: gunicorn, a Celery worker
and beat from the production settings, against the machine's PostgreSQL and Redis.
Shared by the CI smoke test (.ci/prod_smoke.py) and the load benchmark (bench/load.py).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
# The project's venv, else the interpreter running this (a worktree sharing a venv).
BIN = ROOT / ".venv" / "bin" if (ROOT / ".venv").exists() else Path(sys.executable).parent
T = TypeVar("T")


class Stack:
    def __init__(
        self,
        *,
        name: str,
        port: int,
        redis_db: int,
        web_workers: int | None = 2,
        db: str = "",
        root: Path = ROOT,
    ) -> None:
        # STACK_DB_NAME, STACK_REDIS_DB, STACK_PORT: to run beside another checkout's stack.
        port = int(os.environ.get("STACK_PORT") or port)
        redis_db = int(os.environ.get("STACK_REDIS_DB") or redis_db)
        self.name, self.port, self.root = name, port, root
        self.base = f"http://127.0.0.1:{port}"
        self.db = os.environ.get("STACK_DB_NAME") or db or f"parley_{name}"
        self.redis_db = redis_db
        self.logs = ROOT / "artifacts" / name
        self.password = secrets.token_urlsafe(16)
        self.processes: list[subprocess.Popen[bytes]] = []
        self.names: list[str] = []
        self.env = {
            **os.environ,
            "PARLEY_PRODUCTION": "1",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{self.db}",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:6379/{redis_db}",
            "PARLEY_SWEEP_SECONDS": "5",
            "PARLEY_LOG_REQUESTS": "1",
            "LOG_FORMAT": "json",
            "PYTHONUNBUFFERED": "1",
            # This checkout's code, even when the venv's editable install points elsewhere.
            "PYTHONPATH": str(root),
        }
        if web_workers is not None:  # else gunicorn_conf.py's default (or WEB_CONCURRENCY)
            self.env["WEB_CONCURRENCY"] = str(web_workers)

    # --- setting up -------------------------------------------------------------------

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [str(BIN / "python"), "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def fresh_database(self, template: str = "") -> None:
        """An empty database, migrated (or a copy of `template`, then migrated forward)."""
        self.logs.mkdir(parents=True, exist_ok=True)
        pg = ["-h", "127.0.0.1", "-U", "postgres"]
        subprocess.run(["dropdb", *pg, "--if-exists", self.db], check=True, capture_output=True)
        subprocess.run(
            ["createdb", *pg, *(["-T", template] if template else []), self.db], check=True
        )
        subprocess.run(
            ["redis-cli", "-n", str(self.redis_db), "flushdb"], check=True, capture_output=True
        )
        self.manage("migrate", "--no-input")
        self.manage("collectstatic", "--no-input")

    def database_exists(self, name: str) -> bool:
        found = subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-tAc",
                f"SELECT 1 FROM pg_database WHERE datname = '{name}'",
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        return found.stdout.strip() == "1"

    def create_editor(self, username: str = "stack-editor") -> str:
        return self.create_editors([username])[0]

    def create_editors(self, usernames: list[str]) -> list[str]:
        """Editor accounts (one manage.py run) and an API token for each."""
        self.manage(
            "shell",
            "-c",
            "from django.contrib.auth.models import Group, User;"
            "editor = Group.objects.get(name='editor')\n"
            f"for name in {usernames!r}:\n"
            f"    User.objects.create_user(name, password={self.password!r}).groups.add(editor)",
        )
        tokens = []
        for username in usernames:
            status, created = self.call(
                "POST", "/api/v1/auth/tokens/", {"username": username, "password": self.password}
            )
            if status != 201:
                sys.exit(f"could not create a token: {status} {created}")
            tokens.append(str(created["token"]))
        return tokens

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time used so far by each running process and its children (gunicorn's
        workers, the Celery pool), by name."""
        used: dict[str, float] = {}
        listing = subprocess.run(
            ["ps", "-eo", "sid=,times="], check=True, capture_output=True, text=True
        ).stdout
        per_session: dict[int, float] = {}
        for line in listing.splitlines():
            sid, seconds = line.split()
            per_session[int(sid)] = per_session.get(int(sid), 0.0) + float(seconds)
        for name, process in zip(self.names, self.processes, strict=True):
            used[name] = per_session.get(process.pid, 0.0)
        return used

    # --- running ----------------------------------------------------------------------

    def _start(self, name: str, *args: str) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        log = (self.logs / f"{name}.log").open("wb")
        self.names.append(name)
        self.processes.append(
            subprocess.Popen(
                args,
                cwd=self.root,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )

    @contextmanager
    def running(self) -> Iterator[Stack]:
        self._start(
            "gunicorn",
            str(BIN / "gunicorn"),
            "-c",
            "negotiations/gunicorn_conf.py",
            "--bind",
            f"127.0.0.1:{self.port}",
            "negotiations.wsgi",
        )
        self._start(
            "worker",
            str(BIN / "celery"),
            "-A",
            "negotiations",
            "worker",
            "--loglevel=INFO",
            "--concurrency=1",
        )
        self._start(
            "beat",
            str(BIN / "celery"),
            "-A",
            "negotiations",
            "beat",
            "--loglevel=INFO",
            f"--schedule={self.logs / 'beat-schedule'}",
        )
        try:
            self.wait(lambda: self.call("GET", "/healthz")[0] == 200, 60, "/healthz")
            yield self
        finally:
            self.stop()

    @contextmanager
    def serving(self, app: str = "negotiations.wsgi", health: str = "/healthz") -> Iterator[Stack]:
        """gunicorn alone, with Parley's production settings and gunicorn configuration,
        serving `app` (Parley, or bench/floor.py's minimal WSGI app): the read benchmarks."""
        self._start(
            "gunicorn",
            str(BIN / "gunicorn"),
            "-c",
            str(ROOT / "negotiations" / "gunicorn_conf.py"),
            "--bind",
            f"127.0.0.1:{self.port}",
            app,
        )
        try:
            self.wait(lambda: self.call("GET", health)[0] == 200, 60, health)
            yield self
        finally:
            self.stop()

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self.processes, self.names = [], []

    # --- talking to it ----------------------------------------------------------------

    def call(
        self, method: str, path: str, body: dict[str, Any] | None = None, token: str = ""
    ) -> tuple[int, Any]:
        request = urllib.request.Request(
            self.base + path,
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "X-Forwarded-Proto": "https",  # as the TLS-terminating proxy sends it
                **({"Authorization": f"Token {token}"} if token else {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(self.base + path, headers={"X-Forwarded-Proto": "https"})
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, dict(response.headers), response.read()

    @staticmethod
    def wait(check: Callable[[], T], seconds: float, what: str) -> T:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                result = check()
            except OSError:
                result = None  # type: ignore[assignment]
            if result:
                return result
            time.sleep(0.5)
        sys.exit(f"timed out waiting for {what}")
