"""The daily post's controls: its choice buttons, its Answer button and modal, and the routing of every
modal submit (modals are not kept in memory, so a submit is routed by its custom_id, also after a
restart). A component or modal no handler knows gets a short answer instead of "This interaction failed".
"""
from __future__ import annotations

import asyncio
import logging

import discord
from discord import Interaction
from discord.ext import commands

from adapters.discord import components, render
from adapters.discord.cogs.base import QuizCog, Reply, actor, custom_id, payload, run, stale, tell
from bot.errors import QuizError

log = logging.getLogger(__name__)

MODAL_LOOKUP_SECONDS = 2.0


class PostsCog(QuizCog, name="Posts"):
    modal_lookup_seconds = MODAL_LOOKUP_SECONDS  # Discord allows 3 s before the modal must open

    @commands.Cog.listener()
    async def on_interaction(self, interaction: Interaction) -> None:
        # Buttons are DynamicItems and commands go through the tree: only modals and unknown components land here.
        control = custom_id(interaction)
        if interaction.type is discord.InteractionType.modal_submit:
            match = components.MODAL_RE.fullmatch(control)
            if match is None:
                return await stale(interaction)
            text, target = components.modal_answer(payload(interaction)), int(match["id"])
            if match["kind"] == "post":
                await run(interaction, lambda: self.post_verdict(interaction, target, text))
            else:
                interaction.client.dispatch("quiz_delivery_modal", interaction, target, text)
        elif interaction.type is discord.InteractionType.component and not components.is_ours(control):
            await stale(interaction)

    @commands.Cog.listener()
    async def on_quiz_post_choice(self, interaction: Interaction, post_id: int, choice_id: str) -> None:
        await run(interaction, lambda: self.post_verdict(interaction, post_id, choice_id))

    async def post_verdict(self, interaction: Interaction, post_id: int, answer: str) -> Reply:
        verdict = await self.engine.answer_post(actor(interaction), post_id, answer, self.now())
        return Reply(embeds=[render.verdict_embed(verdict)])

    @commands.Cog.listener()
    async def on_quiz_post_text(self, interaction: Interaction, post_id: int) -> None:
        try:
            card = await asyncio.wait_for(self.engine.post_question(post_id), self.modal_lookup_seconds)
        except QuizError as err:
            return await tell(interaction, render.notice(str(err)))
        except Exception:  # slow or failing database: open the modal anyway; the answer is checked on submit
            log.warning("interaction %s: post %s lookup failed before the modal", interaction.id, post_id, exc_info=True)
            card = None
        if card is not None and not card.is_open(self.now()):
            return await tell(interaction, "This question is closed: answers no longer count.")
        try:
            await interaction.response.send_modal(components.answer_modal("post", post_id, card.prompt if card else ""))
        except Exception:
            log.exception("interaction %s: could not open the answer modal", interaction.id)
