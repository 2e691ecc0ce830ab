"""CI: the production processes without Docker (bench/stack.py). Checks the deploy
settings, serves pages and static files with the security headers, writes positions
through the API with an editor token and waits for the worker's recompute."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stack import Stack  # noqa: E402


def main() -> None:
    stack = Stack(name="prod-smoke", port=18801, redis_db=14)
    stack.fresh_database()
    stack.manage("check", "--deploy", "--fail-level", "WARNING")
    stack.manage("load_demo")
    with stack.running():
        status, health = stack.call("GET", "/healthz")
        assert health["broker"]["ok"] and health["database"]["ok"], health
        assert stack.call("GET", "/readyz")[0] == 200

        status, headers, _ = stack.get("/static/css/parley.css")
        assert status == 200 and "max-age" in headers.get("Cache-Control", ""), headers
        status, headers, _ = stack.get("/")
        assert "max-age=" in headers["Strict-Transport-Security"], headers
        assert "unsafe-inline" not in headers["Content-Security-Policy"], headers
        assert headers["X-Frame-Options"] == "DENY"

        token = stack.create_editor()
        summit = stack.call("GET", "/api/v1/proposals/?kind=meeting", token=token)[1]["results"][0]
        parties = stack.call("GET", "/api/v1/parties/?limit=100", token=token)[1]["results"]
        ids = {p["slug"]: p["id"] for p in parties}
        for slug in ("russia", "ukraine"):
            status, body = stack.call(
                "POST",
                "/api/v1/positions/",
                {
                    "proposal": summit["id"],
                    "party": ids[slug],
                    "stance": "accepts",
                    "stated_on": "2025-06-03",
                    "quote": "",
                    "conditions": "",
                    "note": "smoke",
                },
                token=token,
            )
            assert status == 201, (status, body)

        def recomputed() -> dict | None:
            status, detail = stack.call("GET", f"/api/v1/proposals/{summit['id']}/", token=token)
            fresh = status == 200 and not detail["status_stale"]
            return detail if fresh and detail["status"] == "conditional" else None

        detail = stack.wait(recomputed, 60, "the worker to recompute the summit")
        print(f"smoke: recomputed by the worker: {detail['status_reason']}")
    log = (stack.logs / "worker.log").read_text()
    assert "recompute_proposal" in log and "succeeded" in log, "the worker did no recompute"
    print("smoke: gunicorn, worker and beat started, served, recomputed and stopped")


if __name__ == "__main__":
    main()
