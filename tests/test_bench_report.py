"""bench/report.py: every artifacts/bench-*.json in one table, with a final count and an
exit status that says whether a target was missed (no timings are measured here)."""

import json

import pytest

from bench import report


@pytest.fixture
def artifacts(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "ARTIFACTS", tmp_path)
    return tmp_path


def figure(name, value, passed, **extra):
    return {
        "figure": name,
        "value": value,
        "unit": "ms",
        "floor_name": "the floor",
        "floor": 10.0,
        "ratio": value / 10.0,
        "target": "ratio <= 5",
        "pass": passed,
        **extra,
    }


def write(folder, name, content):
    (folder / f"bench-{name}.json").write_text(json.dumps(content))


def test_every_figure_of_every_artifact_is_one_line_with_a_final_count(artifacts, capsys):
    write(
        artifacts,
        "api",
        {"name": "api", "positions": 1000, "figures": [figure("detail", 20.0, True)]},
    )
    write(artifacts, "pages", {"name": "pages", "figures": [figure("home p95", 80.0, False)]})
    assert report.main([]) == 1
    out = capsys.readouterr().out
    assert "api (1,000 positions)" in out and "detail" in out and "20 ms" in out and "2x" in out
    assert "home p95" in out and "FAIL" in out and "PASS" in out
    assert "1 passed, 1 failed, 0 unreadable" in out


def test_all_targets_met_exits_zero_and_markdown_is_a_table(artifacts, capsys):
    write(artifacts, "api", {"name": "api", "figures": [figure("detail", 20.0, True)]})
    assert report.main(["--markdown"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("| bench | figure | value |")
    assert lines[2].startswith("| api | detail | 20 ms |")


def test_the_old_recompute_artifact_is_read_against_its_targets(artifacts, capsys):
    write(
        artifacts,
        "recompute",
        {
            "positions": 1_000_000,
            "recompute_seconds": 30.0,
            "sql_floor_seconds": 0.5,
            "peak_memory_mib": 600.0,
        },
    )
    assert report.main([]) == 1
    out = capsys.readouterr().out
    assert "full recompute" in out and "60x" in out and "0 passed, 2 failed" in out


def test_an_artifact_it_cannot_read_is_named_not_counted(artifacts, capsys):
    (artifacts / "bench-broken.json").write_text("{not json")
    write(artifacts, "other", {"whatever": 1})
    assert report.main([]) == 0
    out = capsys.readouterr().out
    assert "bench-broken.json: not in the shared format" in out
    assert "0 passed, 0 failed, 2 unreadable" in out


def test_no_artifact_at_all_says_what_to_run(artifacts, capsys):
    assert report.main([]) == 2
    assert "make bench" in capsys.readouterr().out


def test_a_figure_without_a_target_is_shown_but_not_counted(artifacts, capsys):
    write(
        artifacts,
        "api",
        {"name": "api", "figures": [figure("detail", 20.0, True), figure("old path", 900.0, None)]},
    )
    assert report.main([]) == 0
    out = capsys.readouterr().out
    assert "old path" in out and "1 passed, 0 failed" in out
