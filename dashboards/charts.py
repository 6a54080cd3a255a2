"""Charts drawn on the server as SVG geometry from the figures (no script, no CDN: the page works offline
and under a Content Security Policy without inline scripts). Templates turn these into <svg> elements;
each bar carries its value in data-value so a test can check the drawing against the figures.

Every chart is laid out for a text size (in SVG units): margins, rows and how many axis labels fit follow it.
Care mode (关怀模式) asks for CARE_TEXT_SIZE and shows the chart at its own size, never scaled down."""

import math
from dataclasses import dataclass

TEXT_SIZE = 10
CARE_TEXT_SIZE = 18


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: float
    label: str
    series: int

    @property
    def middle(self) -> float:
        return round(self.y + self.height / 2, 2)


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    labels: list[tuple[float, list[str]]]  # x positions of the category labels under the axis, in lines
    maximum: float
    ticks: list[tuple[float, str]]  # y positions of the value grid lines
    legend: list[str]
    points: list[str]  # polyline points (line charts)
    text_size: int = TEXT_SIZE
    label_lines: int = 1

    @property
    def left(self) -> int:
        return _left(self.text_size)

    @property
    def baseline(self) -> int:
        return self.height - _bottom(self.text_size, self.label_lines)

    @property
    def label_y(self) -> float:
        """Where the first line of the category labels under the axis sits."""
        return self.baseline + 2 * self.text_size


def _left(text_size: int) -> int:
    return round(text_size * 4.4)  # room for a tick label such as "250k"


def _bottom(text_size: int, lines: int = 1) -> int:
    return round(text_size * 2.8 + (lines - 1) * text_size * 1.2)


def _label_width(label: str, text_size: int) -> float:
    """About how wide a label is drawn: Chinese characters a full em, digits and Latin letters about 0.6 em."""
    return sum(1.0 if ord(character) >= 0x2E80 else 0.6 for character in label) * text_size


def _wrap(label: str, room: float, text_size: int) -> list[str]:
    """A category label in as many lines as it needs to fit its room: words kept whole, Chinese broken anywhere."""
    words, joiner = (label.split(" "), " ") if " " in label else (list(label), "")
    lines, current = [], ""
    for word in words:
        candidate = f"{current}{joiner}{word}" if current else word
        if current and _label_width(candidate, text_size) > room:
            lines.append(current)
            current = word
        else:
            current = candidate
    # Each line but the last keeps its space, so the drawn text still reads as the label.
    return [line + joiner for line in lines] + [current]


def _nice_maximum(value: float) -> float:
    if value <= 4:
        return 4  # small counts: grid lines at whole numbers
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return value


def _ticks(maximum: float, plot_height: float, top: float, percent: bool = False) -> list[tuple[float, str]]:
    ticks = []
    for index in range(5):
        value = maximum * index / 4
        y = top + plot_height - plot_height * index / 4
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
    text_size: int = TEXT_SIZE,
) -> Chart:
    """Grouped bars: one group per category, one bar per series, heights proportional to the values. Labels never
    overlap: a dense axis (every_label > 1) shows as many as fit, a category label too long for its group wraps."""
    left, top = _left(text_size), text_size
    group = (width - left - 6) / max(1, len(categories))
    if every_label > 1:
        widest = max([_label_width(category, text_size) for category in categories] or [0])
        every_label = max(every_label, math.ceil((widest + text_size) / group))
        wrapped = [[category] for category in categories]
    else:
        wrapped = [_wrap(category, group * 0.95, text_size) for category in categories]
    lines = max([len(label) for label in wrapped] or [1])
    height = height + _bottom(text_size, lines) - _bottom(TEXT_SIZE)  # the same plot, room for the labels
    plot_height = height - top - _bottom(text_size, lines)
    maximum = _nice_maximum(max([v for values in series for v in values if v is not None] or [0]))
    bar_width = max(1.0, group * 0.8 / max(1, len(series)))
    drawn = []
    labels = []
    for index, category in enumerate(categories):
        start = left + index * group + group * 0.1
        for number, values in enumerate(series):
            value = values[index] or 0
            bar_height = plot_height * value / maximum
            drawn.append(
                Bar(
                    x=round(start + number * bar_width, 2),
                    y=round(top + plot_height - bar_height, 2),
                    width=round(bar_width, 2),
                    height=round(bar_height, 2),
                    value=value,
                    label=category,
                    series=number,
                )
            )
        if index % every_label == 0:
            labels.append((round(start + bar_width * len(series) / 2, 1), wrapped[index]))
    ticks = _ticks(maximum, plot_height, top)
    return Chart(width, height, drawn, labels, maximum, ticks, legend or [], [], text_size, lines)


def line(
    categories: list[str],
    values: list[float | None],
    *,
    width: int = 640,
    height: int = 200,
    every_label: int = 3,
    text_size: int = TEXT_SIZE,
) -> Chart:
    """A line of percentages (0-100) with a dot per point that has a value."""
    left, top = _left(text_size), text_size
    height = height + _bottom(text_size) - _bottom(TEXT_SIZE)
    plot_width, plot_height = width - left - 6, height - top - _bottom(text_size)
    step = plot_width / max(1, len(categories) - 1)
    if categories:
        widest = max(_label_width(category, text_size) for category in categories)
        every_label = max(every_label, math.ceil((widest + text_size) / step))
    points, dots, labels = [], [], []
    for index, (category, value) in enumerate(zip(categories, values, strict=True)):
        x = round(left + index * step, 1)
        if value is not None:
            y = round(top + plot_height - plot_height * value / 100, 1)
            points.append(f"{x},{y}")
            dots.append(Bar(x=x, y=y, width=0, height=0, value=value, label=category, series=0))
        if index % every_label == 0:
            labels.append((x, [category]))
    ticks = _ticks(100, plot_height, top, percent=True)
    return Chart(width, height, dots, labels, 100, ticks, [], points, text_size)


def hbars(categories: list[str], values: list[float], *, width: int = 640, text_size: int = TEXT_SIZE) -> Chart:
    """Horizontal bars, one row per category with its label on the left: long Chinese labels stay readable
    on a phone. Widths are proportional to the values."""
    row, top = round(text_size * 2.6), text_size
    label_room = max([_label_width(category, text_size) for category in categories] or [0]) + text_size
    bar_left = round(max(15 * text_size, label_room))
    height = top + row * len(categories) + _bottom(text_size)
    plot_width = width - bar_left - 5 * text_size
    maximum = _nice_maximum(max([v for v in values if v is not None] or [0]))
    drawn = []
    for index, (category, value) in enumerate(zip(categories, values, strict=True)):
        value = value or 0
        drawn.append(
            Bar(
                x=bar_left,
                y=top + index * row + round(row * 0.15),
                width=round(plot_width * value / maximum, 2),
                height=round(row * 0.7),
                value=value,
                label=category,
                series=0,
            )
        )
    ticks = [(round(bar_left + plot_width * i / 4, 1), f"{maximum * i / 4:g}") for i in range(5)]
    return Chart(width, height, drawn, [], maximum, ticks, [], [], text_size)
