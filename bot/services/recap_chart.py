"""The weekly recap's chart: answers per day (bars) and share correct (a line), as a PNG, with alt text
that says the same in words.

matplotlib with the Agg backend renders headless, and bars, a second axis and a line take a few lines
(Pillow would mean drawing axes, ticks and labels by hand). It is imported on first use, so the bot's
start-up and `--help` stay fast. Called through asyncio.to_thread: rendering blocks for tens of ms.

Readable in dark and light themes: the background is transparent, and text, axes and grid are one
neutral mid grey that contrasts with both Discord's dark (#313338) and light (#ffffff) backgrounds.
"""
from __future__ import annotations

import io
import threading

from bot.recap_views import RecapChart, RecapView

WIDTH, HEIGHT, DPI = 800, 400, 100  # pixels: wide enough for seven labelled days, small to upload
TEXT_GREY = "#8a8f98"  # contrast ≥ 3:1 on both #313338 and #ffffff (large text and graphics, WCAG 2.1)
BAR_BLUE = "#5b8def"
LINE_ORANGE = "#f0a030"
_LOCK = threading.Lock()  # pyplot's state is global: one figure at a time across worker threads


def alt_text(view: RecapView) -> str:
    """The chart in words: each day's answers and share correct, and the week's totals."""
    days = "; ".join(f"{d.day:%a %d %b}: {d.answers} answer{'s' if d.answers != 1 else ''}"
                     + (f", {d.share_correct:.0%} correct" if d.answers else "") for d in view.days)
    return (f"Bar chart of answers per day from {view.week_start:%d %b} to {view.week_end:%d %b}, with a line for "
            f"the share correct. {days}. In all {view.answers} answers, {view.share_correct:.0%} correct.")


def render(view: RecapView) -> RecapChart:
    import matplotlib
    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure  # no pyplot: no global figure manager, nothing to close

    labels = [f"{d.day:%a}\n{d.day:%d %b}" for d in view.days]
    with _LOCK:
        fig = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI)
        fig.patch.set_alpha(0.0)
        bars = fig.add_subplot()
        bars.set_facecolor("none")
        bars.bar(labels, [d.answers for d in view.days], color=BAR_BLUE, label="answers")
        bars.set_ylabel("answers", color=TEXT_GREY)
        bars.grid(axis="y", color=TEXT_GREY, alpha=0.35)
        line = bars.twinx()
        answered = [(i, d.share_correct * 100) for i, d in enumerate(view.days) if d.answers]
        line.plot([i for i, _ in answered], [s for _, s in answered], color=LINE_ORANGE, marker="o", linewidth=2.5,
                  label="% correct")
        line.set_ylim(0, 105)
        line.set_ylabel("% correct", color=TEXT_GREY)
        for axis in (bars, line):
            axis.tick_params(colors=TEXT_GREY)
            for spine in axis.spines.values():
                spine.set_color(TEXT_GREY)
        fig.suptitle(f"Week of {view.week_start:%d %b}: {view.answers} answers, {view.share_correct:.0%} correct",
                     color=TEXT_GREY)
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format="png", dpi=DPI, transparent=True)
    return RecapChart(out.getvalue(), WIDTH, HEIGHT, alt_text(view))


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2.1 contrast ratio of two #rrggbb colours (1 to 21)."""
    def luminance(colour: str) -> float:
        channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    hi, lo = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)
