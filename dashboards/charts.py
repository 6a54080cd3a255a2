"""Charts drawn on the server as SVG geometry from the figures (no script, no CDN: the page works offline
and under a Content Security Policy without inline scripts). Templates turn these into <svg> elements;
each bar carries its value in data-value so a test can check the drawing against the figures."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: float
    label: str
    series: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    labels: list[tuple[float, str]]  # x positions of the category labels shown under the axis
    maximum: float
    ticks: list[tuple[float, str]]  # y positions of the value grid lines
    legend: list[str]
    points: list[str]  # polyline points (line charts)

    @property
    def baseline(self) -> int:
        return self.height - BOTTOM


LEFT, BOTTOM, TOP = 44, 28, 10


def _nice_maximum(value: float) -> float:
    if value <= 4:
        return 4  # small counts: grid lines at whole numbers
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return value


def _ticks(maximum: float, plot_height: float, percent: bool = False) -> list[tuple[float, str]]:
    ticks = []
    for index in range(5):
        value = maximum * index / 4
        y = TOP + plot_height - plot_height * index / 4
        text = f"{value:.0f}%" if percent else (f"{value / 1000:g}k" if maximum >= 10_000 else f"{value:g}")
        ticks.append((round(y, 1), text))
    return ticks


def bars(
    categories: list[str],
    series: list[list[float]],
    legend: list[str] | None = None,
    *,
    width: int = 640,
    height: int = 220,
    every_label: int = 1,
) -> Chart:
    """Grouped bars: one group per category, one bar per series, heights proportional to the values."""
    plot_width, plot_height = width - LEFT - 6, height - TOP - BOTTOM
    maximum = _nice_maximum(max([v for values in series for v in values if v is not None] or [0]))
    group = plot_width / max(1, len(categories))
    bar_width = max(1.0, group * 0.8 / max(1, len(series)))
    drawn = []
    labels = []
    for index, category in enumerate(categories):
        left = LEFT + index * group + group * 0.1
        for number, values in enumerate(series):
            value = values[index] or 0
            bar_height = plot_height * value / maximum
            drawn.append(
                Bar(
                    x=round(left + number * bar_width, 2),
                    y=round(TOP + plot_height - bar_height, 2),
                    width=round(bar_width, 2),
                    height=round(bar_height, 2),
                    value=value,
                    label=category,
                    series=number,
                )
            )
        if index % every_label == 0:
            labels.append((round(left + bar_width * len(series) / 2, 1), category))
    return Chart(width, height, drawn, labels, maximum, _ticks(maximum, plot_height), legend or [], [])


def line(
    categories: list[str], values: list[float | None], *, width: int = 640, height: int = 200, every_label: int = 3
) -> Chart:
    """A line of percentages (0-100) with a dot per point that has a value."""
    plot_width, plot_height = width - LEFT - 6, height - TOP - BOTTOM
    step = plot_width / max(1, len(categories) - 1)
    points, dots, labels = [], [], []
    for index, (category, value) in enumerate(zip(categories, values, strict=True)):
        x = round(LEFT + index * step, 1)
        if value is not None:
            y = round(TOP + plot_height - plot_height * value / 100, 1)
            points.append(f"{x},{y}")
            dots.append(Bar(x=x, y=y, width=0, height=0, value=value, label=category, series=0))
        if index % every_label == 0:
            labels.append((x, category))
    return Chart(width, height, dots, labels, 100, _ticks(100, plot_height, percent=True), [], points)


HBAR_LEFT = 150


def hbars(categories: list[str], values: list[float], *, width: int = 640, row: int = 26) -> Chart:
    """Horizontal bars, one row per category with its label on the left: long Chinese labels stay readable
    on a phone. Widths are proportional to the values."""
    height = TOP + row * len(categories) + BOTTOM
    plot_width = width - HBAR_LEFT - 50
    maximum = _nice_maximum(max([v for v in values if v is not None] or [0]))
    drawn = []
    for index, (category, value) in enumerate(zip(categories, values, strict=True)):
        value = value or 0
        drawn.append(
            Bar(
                x=HBAR_LEFT,
                y=TOP + index * row + 4,
                width=round(plot_width * value / maximum, 2),
                height=row - 8,
                value=value,
                label=category,
                series=0,
            )
        )
    ticks = [(round(HBAR_LEFT + plot_width * i / 4, 1), f"{maximum * i / 4:g}") for i in range(5)]
    return Chart(width, height, drawn, [], maximum, ticks, [], [])
