"""Bar charts of the progress report as PNG bytes, for the DOCX and PDF documents.

Only matplotlib's object API is used (a Figure with its own Agg canvas), never pyplot:
pyplot keeps global state, and documents render in threads of the web server and workers.
"""

import io
import textwrap

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .content import Chart

DPI = 150
# Dark first: with one series, or "Anmälda" beside "Deltog", the first reads as the main one.
COLOURS = ["#1f5f8b", "#8db8d9", "#d9822b", "#5b9a68", "#9c5b9e", "#8a8a8a"]
INK = "#333333"
# Above this many bars the value labels crowd each other; the grid lines carry the values then.
MAX_LABELLED_BARS = 30
# A rough width of one character of the 8 pt tick labels, for fitting the group labels.
CHAR_CM = 0.16
CM = 1 / 2.54


def chart_figure(chart: Chart, *, width_cm: float = 16) -> Figure:
    """The chart as a matplotlib Figure `width_cm` wide: one group per label, one bar per series.

    Short labels (months) stand under upright bars. Labels too long for their group's width
    (theme names) turn the chart on its side, where each label gets a line of its own.
    """
    for name, values in chart.series.items():
        if len(values) != len(chart.labels):
            raise ValueError(f"Series {name!r} has {len(values)} values for {len(chart.labels)} labels.")
    count = max(len(chart.series), 1)
    labels = _fitted_labels(chart.labels, width_cm=width_cm)
    horizontal = labels is None
    if horizontal:
        labels = [textwrap.fill(label, width=28, break_long_words=False) for label in chart.labels]
        # Each label a line of its own, up to what fits on a page under the chart's title.
        height_cm = min(1.6 + len(labels) * max(0.55 * count, 0.7), width_cm * 1.35)
    else:
        height_cm = width_cm * 0.4
    figure = Figure(figsize=(width_cm * CM, height_cm * CM), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()

    positions = range(len(labels))
    # A lone series gets slimmer bars: a group-wide block reads as a filled area, not a count.
    group = 0.8 if count > 1 else 0.55
    thickness = group / count
    for index, (name, values) in enumerate(chart.series.items()):
        offsets = [p - group / 2 + thickness * (index + 0.5) for p in positions]
        draw = axes.barh if horizontal else axes.bar
        bars = draw(offsets, values, thickness * 0.92, label=name, color=COLOURS[index % len(COLOURS)], zorder=2)
        if len(labels) * count <= MAX_LABELLED_BARS:
            axes.bar_label(bars, padding=2, fontsize=7, color=INK)

    category, value = (axes.yaxis, axes.xaxis) if horizontal else (axes.xaxis, axes.yaxis)
    category.set_ticks(list(positions), labels)
    value.set_major_locator(MaxNLocator(integer=True))
    axes.tick_params(length=0, labelsize=8, colors=INK)
    top = max((max(values, default=0) for values in chart.series.values()), default=0)
    # Room past the longest bar for its value label; a chart of zeros still shows 0 and 1.
    limits = (0, max(top * 1.12, 1))
    axes.grid(axis="x" if horizontal else "y", color="#dddddd", linewidth=0.6, zorder=0)
    for side in ("top", "right", "bottom" if horizontal else "left"):
        axes.spines[side].set_visible(False)
    axes.spines["left" if horizontal else "bottom"].set_color("#999999")
    if horizontal:
        axes.set_xlim(*limits)
        axes.set_ylim(len(labels) - 0.5, -0.5)  # the first label on top, as it is read
    else:
        axes.set_ylim(*limits)
    if len(chart.series) > 1:
        axes.legend(
            loc="lower left",
            bbox_to_anchor=(0, 1.0),
            ncols=len(chart.series),
            frameon=False,
            fontsize=8,
            borderaxespad=0.3,
        )
    return figure


def chart_png(chart: Chart, *, width_cm: float = 16) -> bytes:
    """The chart as PNG bytes at 150 dpi, `width_cm` wide when placed at its natural size."""
    buffer = io.BytesIO()
    chart_figure(chart, width_cm=width_cm).savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()


def _fitted_labels(labels: list[str], *, width_cm: float) -> list[str] | None:
    # Wrapped to their group's width, or None when a word is longer than that: cutting a
    # theme name would mislead, and tilted labels are hard to read.
    group_cm = width_cm * 0.9 / max(len(labels), 1)
    chars = max(int(group_cm / CHAR_CM), 6)
    wrapped = [textwrap.fill(label, width=chars, break_long_words=False) for label in labels]
    fits = all(len(line) <= chars for label in wrapped for line in label.splitlines())
    return wrapped if fits and all(label.count("\n") < 2 for label in wrapped) else None
