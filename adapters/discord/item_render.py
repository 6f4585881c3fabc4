"""Embeds for admins' item analysis (/quizadmin content stats): one page of questions at a time."""
from __future__ import annotations

import discord

from adapters.discord.render import BRAND, clip, content_text
from bot.item_views import ItemAnalysis, ItemReport

PAGE_SIZE = 5


def pct(x: float | None) -> str:
    return "–" if x is None else f"{x * 100:.0f}%"


def signed(x: float | None) -> str:
    return "–" if x is None else f"{x:+.2f}"


def pages(report: ItemAnalysis) -> int:
    return max(1, -(-len(report.items) // PAGE_SIZE))


def item_lines(item: ItemReport) -> list[str]:
    f = item.figures
    timing = f" · median {f.median_seconds:.0f}s" if f.median_seconds is not None else ""
    lines = [f"**`{item.question_id}`**{' (retired)' if item.retired else ''} — {content_text(item.prompt, 120)}",
             f"{f.attempts} learners · facility {pct(f.facility)} · discrimination {signed(f.discrimination)} "
             f"(27%: {signed(f.upper_lower)}) · efficiency {pct(f.efficiency)}{timing}"]
    if f.choices:
        lines.append("Choices (all / top ¼): " + " · ".join(
            f"{text.label}{'✓' if c.is_key else ''} {pct(c.share)}/{pct(c.top_share)}"
            for c, text in zip(f.choices, item.choices, strict=True)))
    lines += [f"⚠️ {flag.reason}" for flag in item.flags]
    return lines


def stats_embed(report: ItemAnalysis, page: int) -> discord.Embed:
    """Page `page` (1-based, clamped) of the questions, flagged ones first."""
    last = pages(report)
    page = min(max(page, 1), last)
    shown = report.items[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    embed = discord.Embed(title=f"Question statistics — {len(report.to_review)} to review", colour=BRAND)
    body = "\n\n".join("\n".join(item_lines(item)) for item in shown)
    embed.description = clip(body or "Nobody has answered a question here yet.", 4000)
    embed.set_footer(text=f"Page {page} of {last} · {report.learners} learners, first attempts · "
                          "/quizadmin content retire takes a question out of the schedules")
    return embed
