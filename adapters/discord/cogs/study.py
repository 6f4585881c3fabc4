"""Study on one's own: /lesson (parts, then its questions), /quiz (practice), and the buttons and answer
modals of those personal questions ("deliveries"). Everything here answers privately or edits the
learner's own ephemeral message.
"""
# No `from __future__ import annotations`: discord.py reads these annotations to build the options.
import logging

import discord
from discord import Interaction, app_commands
from discord.app_commands import Range
from discord.ext import commands

from adapters.discord import components, render, reviews
from adapters.discord.cogs.base import QuizCog, Reply, actor, run, tell
from adapters.discord.cogs.review import next_review_button
from bot.errors import QuizError
from bot.views import SnippetCard

log = logging.getLogger(__name__)


def after_snippet(card: SnippetCard) -> components.LessonStepButton:
    return components.LessonStepButton(card.lesson_id, card.index + 1, "Questions ▶" if card.is_last else "Next ▶")


class StudyCog(QuizCog, name="Study"):
    @app_commands.command(name="lesson", description="Read a lesson part by part, then answer its questions.")
    @app_commands.describe(lesson="The lesson (leave empty to list them all with your progress)")
    @app_commands.guild_only()
    async def lesson(self, interaction: Interaction, lesson: Range[str, 1, 100] | None = None) -> None:
        if not lesson or not lesson.strip():
            async def listing() -> Reply:
                return Reply(embeds=[render.lessons_embed(await self.engine.lessons(actor(interaction)))])
            return await run(interaction, listing)
        chosen = lesson.strip()

        def first_part() -> Reply:
            card = self.engine.snippet(chosen, 0)  # no database: answer at once
            return Reply(embeds=[render.snippet_embed(card)], view=components.single(after_snippet(card)))
        await run(interaction, first_part, defer=False)

    @lesson.autocomplete("lesson")
    async def lesson_names(self, interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
        # No defer is possible in an autocomplete: answer fast, never fail.
        try:
            return [app_commands.Choice(name=render.clip(title, 100), value=lesson_id)
                    for lesson_id, title in self.engine.lesson_choices(current or "")[:25]]
        except Exception:
            log.exception("interaction %s: lesson autocomplete failed", interaction.id)
            return []

    @app_commands.command(name="quiz", description="A practice question (only you see it).")
    @app_commands.guild_only()
    async def quiz(self, interaction: Interaction) -> None:
        await run(interaction, lambda: self.practice_reply(interaction))

    # Buttons (dispatched by components' DynamicItems) ----------------------------------
    @commands.Cog.listener()
    async def on_quiz_practice(self, interaction: Interaction) -> None:
        await run(interaction, lambda: self.practice_reply(interaction), edit=True)

    async def practice_reply(self, interaction: Interaction) -> Reply:
        card = await self.engine.practice(actor(interaction), self.now())
        return Reply(embeds=[render.question_embed(card)],
                     view=components.question_view(card, components.PracticeButton(label="Skip")))

    @commands.Cog.listener()
    async def on_quiz_lesson_step(self, interaction: Interaction, lesson_id: str, step: int | str) -> None:
        if step == "done":
            done = discord.Embed(title="Lesson complete! 🎉", colour=render.GOOD,
                                 description="/streak shows your streak, /lesson the next lesson, /quiz a practice question.")
            return await run(interaction, lambda: Reply(embeds=[done]), edit=True, defer=False)
        try:
            total = self.engine.snippet(lesson_id, 0).total
        except QuizError as err:  # e.g. the lesson was removed from the course since this message was sent
            return await tell(interaction, render.notice(str(err)))
        assert isinstance(step, int)  # the button's custom_id holds digits or "done"
        if step < total:
            def part() -> Reply:
                card = self.engine.snippet(lesson_id, step)
                return Reply(embeds=[render.snippet_embed(card)], view=components.single(after_snippet(card)))
            return await run(interaction, part, edit=True, defer=False)

        async def question() -> Reply:
            card = await self.engine.lesson_question(actor(interaction), lesson_id, step - total, self.now())
            next_step = step + 1 if card.position < card.of else "done"
            return Reply(embeds=[render.question_embed(card)],
                         view=components.question_view(card, components.lesson_continuation(
                             lesson_id, next_step, answered=False)))
        await run(interaction, question, edit=True)

    @commands.Cog.listener()
    async def on_quiz_delivery_choice(self, interaction: Interaction, delivery_id: int, choice_id: str) -> None:
        await run(interaction, lambda: self.delivery_verdict(interaction, delivery_id, choice_id), edit=True)

    @commands.Cog.listener()
    async def on_quiz_delivery_text(self, interaction: Interaction, delivery_id: int) -> None:
        embeds = interaction.message.embeds if interaction.message else []
        prompt = (embeds[0].description or "") if embeds else ""
        try:
            await interaction.response.send_modal(components.answer_modal("dlv", delivery_id, prompt))
        except Exception:
            log.exception("interaction %s: could not open the answer modal", interaction.id)

    @commands.Cog.listener()
    async def on_quiz_delivery_modal(self, interaction: Interaction, delivery_id: int, text: str) -> None:
        await run(interaction, lambda: self.delivery_verdict(interaction, delivery_id, text),
                  edit=interaction.message is not None)

    async def delivery_verdict(self, interaction: Interaction, delivery_id: int, answer: str) -> Reply:
        who = actor(interaction)
        verdict = await self.engine.answer(who, delivery_id, answer, self.now())
        shown = list((interaction.message.embeds if interaction.message else [])[:1])
        if verdict.review:  # the way on is the next due card, or when one will be due
            status = await self.engine.review_status(who, self.now())
            after = [] if status.due else [reviews.caught_up_embed(status)]
            return Reply(embeds=shown + [render.verdict_embed(verdict)] + after,
                         view=components.single(next_review_button(status)))
        return Reply(embeds=shown + [render.verdict_embed(verdict)],
                     view=components.single(components.continuation_after_answer(interaction.message)))
