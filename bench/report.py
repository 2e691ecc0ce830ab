"""The one benchmark report: every artifacts/bench-*.json in one table.

    python bench/report.py            # after `make bench` / `make load`
    python bench/report.py --markdown # the same table for README "Benchmarks"

Each bench script writes {"name", "positions", "repeats", "figures": [{"figure", "value",
"unit", "floor_name", "floor", "ratio", "target", "pass"}, ...]}; this prints one line
per figure (figure | value | floor | ratio | target | PASS/FAIL, or "-" for a figure
given for information, `"pass": null`) and a final count. Exits
1 if a figure fails, 2 if there is no artifact at all. An artifact without "figures"
(written by an older script) is read by an adapter below when one exists, else listed as
unreadable.
"""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"


def figure(
    name: str,
    value: float,
    unit: str,
    floor_name: str,
    floor: float | None,
    target: str,
    passed: bool | None,
    **extra: Any,
) -> dict[str, Any]:
    """One figure in the shared format; `passed` None for a figure with no target."""
    return {
        "figure": name,
        "value": round(value, 3),
        "unit": unit,
        "floor_name": floor_name,
        "floor": None if floor is None else round(floor, 3),
        "ratio": round(value / floor, 2) if floor else None,
        "target": target,
        "pass": passed,
        **extra,
    }


def legacy_recompute(report: dict[str, Any]) -> list[dict[str, Any]]:
    """bench/recompute.py before the shared format: the full run against the SQL floor."""
    seconds, floor = report["recompute_seconds"], report["sql_floor_seconds"]
    return [
        {
            "figure": "full recompute",
            "value": seconds,
            "unit": "s",
            "floor_name": "SQL floor (latest stances)",
            "floor": floor,
            "ratio": round(seconds / floor, 1),
            "target": "ratio <= 8",
            "pass": seconds / floor <= 8,
        },
        {
            "figure": "recompute peak memory",
            "value": report["peak_memory_mib"],
            "unit": "MiB",
            "floor_name": "",
            "floor": None,
            "ratio": None,
            "target": "value < 512",
            "pass": report["peak_memory_mib"] < 512,
        },
    ]


ADAPTERS = {"recompute": legacy_recompute}


def load(path: Path) -> tuple[str, dict[str, Any], list[dict[str, Any]] | None]:
    name = path.stem.removeprefix("bench-")
    try:
        report = json.loads(path.read_text())
    except (OSError, ValueError):
        return name, {}, None
    if isinstance(report.get("figures"), list):
        return str(report.get("name", name)), report, report["figures"]
    adapter = ADAPTERS.get(name)
    try:
        return name, report, adapter(report) if adapter else None
    except (KeyError, TypeError, ZeroDivisionError):
        return name, report, None


def number(value: Any, unit: str = "") -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, float) and not value.is_integer():
        text = f"{value:,.2f}" if abs(value) < 10 else f"{value:,.1f}"
    else:
        text = f"{int(value):,}"
    return f"{text} {unit}".strip()


def rows(paths: list[Path]) -> tuple[list[list[str]], list[str], int, int]:
    table, unreadable, passed, failed = [], [], 0, 0
    for path in paths:
        name, report, figures = load(path)
        if figures is None:
            unreadable.append(path.name)
            continue
        positions = report.get("positions")
        where = f"{name} ({number(positions)} positions)" if positions else name
        for figure in figures:
            verdict = figure.get("pass")  # None: a figure for information, no target
            passed += verdict is True
            failed += verdict is False
            floor = number(figure.get("floor"), figure.get("unit", ""))
            if figure.get("floor_name"):
                floor = f"{floor} ({figure['floor_name']})"
            table.append(
                [
                    where,
                    str(figure.get("figure", "?")),
                    number(figure.get("value"), figure.get("unit", "")),
                    floor,
                    number(figure.get("ratio")) + ("x" if figure.get("ratio") is not None else ""),
                    str(figure.get("target", "")),
                    "-" if verdict is None else "PASS" if verdict else "FAIL",
                ]
            )
    return table, unreadable, passed, failed


HEADER = ["bench", "figure", "value", "floor", "ratio", "target", "result"]


def main(argv: list[str]) -> int:
    paths = sorted(ARTIFACTS.glob("bench-*.json"))
    if not paths:
        print(f"No artifacts/bench-*.json under {ARTIFACTS}: run make bench (and make load).")
        return 2
    table, unreadable, passed, failed = rows(paths)
    if "--markdown" in argv:
        print("| " + " | ".join(HEADER) + " |")
        print("|" + "---|" * len(HEADER))
        for row in table:
            print("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    else:
        widths = [max(len(r[i]) for r in [HEADER, *table]) for i in range(len(HEADER))]
        for row in [HEADER, ["-" * w for w in widths], *table]:
            print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    for name in unreadable:
        print(f"{name}: not in the shared format (no figures), left out")
    for path in paths:  # a figure is only as recent as its artifact
        written = datetime.datetime.fromtimestamp(path.stat().st_mtime, datetime.UTC)
        print(f"{path.name}: written {written:%Y-%m-%d %H:%M} UTC")
    print(f"\n{passed} passed, {failed} failed, {len(unreadable)} unreadable")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
