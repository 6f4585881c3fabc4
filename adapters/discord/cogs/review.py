"""/review: due review cards one at a time, most overdue first, answered with the same buttons and modal
as lesson and practice questions (StudyCog handles the answer, and offers the next review after it);
`/review remind:18:00|off` sets the reminder DM."""
# No `from __future__ import annotations`: discord.py reads these annotations to build the options.
import discord
from discord import Interaction, app_commands
from discord.app_commands import Range
from discord.ext import commands

from adapters.discord import components, reviews
from adapters.discord.cogs.base import QuizCog, Reply, actor, run
from bot.views import Actor, ReviewStatus


def next_review_button(status: ReviewStatus) -> components.ReviewButton | None:
    """After a review answer: the way on while cards are due."""
    return components.ReviewButton(f"Next review ({status.due} due)", style=discord.ButtonStyle.success) \
        if status.due else None


class ReviewCog(QuizCog, name="Review"):
    @app_commands.command(name="review", description="Your due review cards, most overdue first (only you see them).")
    @app_commands.describe(remind="A DM at this time (HH:MM, the server's time zone) on days cards are due; 'off' stops it")
    @app_commands.guild_only()
    async def review(self, interaction: Interaction, remind: Range[str, 1, 10] | None = None) -> None:
        if remind is not None:
            async def setting() -> Reply:
                chosen = await self.engine.set_review_reminder(actor(interaction), remind, self.now())
                return Reply(content=reviews.reminder_setting_text(chosen))
            return await run(interaction, setting)
        await run(interaction, lambda: self.next_card(actor(interaction)))

    @commands.Cog.listener()
    async def on_quiz_review(self, interaction: Interaction) -> None:
        await run(interaction, lambda: self.next_card(actor(interaction)), edit=True)

    async def next_card(self, who: Actor) -> Reply:
        shown = await self.engine.review_next(who, self.now())
        if shown.card is None:
            return Reply(embeds=[reviews.caught_up_embed(shown.status)])
        return Reply(embeds=[reviews.review_embed(shown.card, shown.status)],
                     view=components.question_view(shown.card))
