"""The weekly recap as a Discord embed, its chart attached as a file (the embed shows it through an
attachment:// URL). Names are shown as text, never as mentions (render.user_text escapes them)."""
from __future__ import annotations

import io

import discord

from adapters.discord.render import GREY, clip, content_text, user_text
from bot.recap_views import RecapLearner, RecapView


def _ranked(rows: tuple[RecapLearner, ...]) -> str:
    return "\n".join(f"{i}. {user_text(r.name, 40)} — {r.points} pts, {r.correct}/{r.answers} right"
                     for i, r in enumerate(rows, 1))


def recap_embed(view: RecapView) -> discord.Embed:
    embed = discord.Embed(title=f"🗓 Weekly recap · {view.week_start:%d %b} – {view.week_end:%d %b}", colour=GREY,
                          description=f"**{view.answers}** answers, **{view.share_correct:.0%}** correct.\n"
                          + " · ".join(f"{d.day:%a} {d.answers}" for d in view.days))
    if view.top_learners:
        embed.add_field(name="Top learners", value=clip(_ranked(view.top_learners), 1024), inline=False)
    if view.top_groups:
        embed.add_field(name="Top study groups", value=clip(_ranked(view.top_groups), 1024), inline=False)
    if view.streaks:
        embed.add_field(name="Longest streaks", value=clip("\n".join(
            f"🔥 {user_text(name, 40)} — {days} day(s)" for name, days in view.streaks), 1024), inline=False)
    if view.hardest is not None:
        h = view.hardest
        embed.add_field(name=f"Hardest question ({h.correct}/{h.answers} right)", value=clip(
            f"{content_text(h.prompt, 300)}\n**Answer:** {content_text(h.right_answer, 200)}\n"
            f"{content_text(h.explanation, 400)}", 1024), inline=False)
    if view.improved is not None:
        i = view.improved
        embed.add_field(name="Most improved", value=f"{user_text(i.name, 40)}: {i.before:.0%} → {i.after:.0%} correct",
                        inline=False)
    if view.chart is not None:
        embed.set_image(url=f"attachment://{view.chart.filename}")
    return embed


def recap_file(view: RecapView) -> discord.File | None:
    """The chart as an upload, with its alt text as the attachment's description (read by screen readers)."""
    if view.chart is None:
        return None
    return discord.File(io.BytesIO(view.chart.png), filename=view.chart.filename,
                        description=clip(view.chart.alt_text, 1024))
