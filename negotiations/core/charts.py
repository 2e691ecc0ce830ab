"""The convergence chart: share of live terms agreed over time, as SVG geometry.

The template draws it; this module only places the points, ticks and labels, so the
chart is plain server-rendered markup with readable axes and no script.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 24, 36, 44
PAD = 44  # keeps the first and last points (and their labels) off the chart's edges
MAX_DATE_TICKS = 6


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    on: datetime.date
    round: int | None
    share: float
    agreed: int
    live: int
    anchor: str = "middle"

    @property
    def percent(self) -> int:
        return round(self.share * 100)

    @property
    def label(self) -> str:
        return f"R{self.round}" if self.round is not None else "today"


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass
class ConvergenceChart:
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM
    points: list[ChartPoint] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def path(self) -> str:
        return " ".join(
            f"{'M' if i == 0 else 'L'}{p.x:.1f},{p.y:.1f}" for i, p in enumerate(self.points)
        )

    @property
    def area(self) -> str:
        if len(self.points) < 2:
            return ""
        first, last = self.points[0], self.points[-1]
        return f"{self.path} L{last.x:.1f},{self.bottom} L{first.x:.1f},{self.bottom} Z"

    @property
    def latest(self) -> ChartPoint | None:
        return self.points[-1] if self.points else None

    @property
    def x_label_y(self) -> int:
        return self.bottom + 18

    @property
    def axis_title_y(self) -> int:
        return self.height - 6


def convergence_chart(series: list[dict[str, Any]]) -> ConvergenceChart:
    """Place the summary's convergence series (negotiation.status_summary["convergence"])."""
    chart = ConvergenceChart()
    rows = [
        {
            "on": datetime.date.fromisoformat(entry["on"]),
            "round": entry.get("round"),
            "live": entry.get("live", 0),
            "agreed": entry.get("agreed", 0),
            "share": entry.get("share_agreed"),
        }
        for entry in series
    ]
    chart.rows = rows
    chart.y_ticks = [
        Tick(round(chart.bottom - (chart.bottom - chart.top) * share / 100, 1), f"{share}%")
        for share in (0, 25, 50, 75, 100)
    ]
    plotted = [row for row in rows if row["share"] is not None]
    if not plotted:
        return chart
    first, last = plotted[0]["on"], plotted[-1]["on"]
    span = max((last - first).days, 1)
    inner = chart.right - chart.left - 2 * PAD

    def x_of(day: datetime.date) -> float:
        if first == last:
            return round((chart.left + chart.right) / 2, 1)
        return round(chart.left + PAD + inner * (day - first).days / span, 1)

    def y_of(share: float) -> float:
        return round(chart.bottom - (chart.bottom - chart.top) * share, 1)

    def anchor(i: int) -> str:
        if len(plotted) == 1:
            return "middle"
        return "start" if i == 0 else "end" if i == len(plotted) - 1 else "middle"

    chart.points = [
        ChartPoint(
            x_of(row["on"]),
            y_of(row["share"]),
            row["on"],
            row["round"],
            row["share"],
            row["agreed"],
            row["live"],
            anchor(i),
        )
        for i, row in enumerate(plotted)
    ]
    days = sorted({p.on for p in chart.points})
    if len(days) > MAX_DATE_TICKS:
        step = (len(days) - 1) / (MAX_DATE_TICKS - 1)
        days = [days[round(i * step)] for i in range(MAX_DATE_TICKS)]
    chart.x_ticks = [Tick(x_of(day), f"{day.day} {day:%b %Y}") for day in days]
    return chart
