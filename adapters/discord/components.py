"""Buttons and modals. Every button is a DynamicItem whose custom_id carries its state, so a click is
understood by any bot process, also after a restart (a fixed custom_id would route every click to the
newest view). Callbacks only hand over: they dispatch a `quiz_*` event that a cog's listener handles
(adapters/discord/cogs), so this module needs no cog.

custom_id formats (Discord allows 100 characters; slugs are at most 64):
  quiz:post:<post_id>:<choice_id>     a choice on a daily post
  quiz:posttext:<post_id>             "Answer" on a free-text daily post (opens a modal)
  quiz:dlv:<delivery_id>:<choice_id>  a choice on a lesson or practice question (personal delivery)
  quiz:dlvtext:<delivery_id>          "Answer" on a free-text lesson or practice question (opens a modal)
  quiz:lesson:<lesson_id>:<step>      lesson navigation: step < snippets shows a part, then questions; "done" ends
  quiz:practice                       another practice question
  quiz:review                         the next due review card
Modal custom_ids: quiz:modal:post:<post_id> and quiz:modal:dlv:<delivery_id>, routed by PostsCog.
on_interaction (modals are not kept in memory, so a submit also works after a restart).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import discord
from discord import ButtonStyle, Interaction
from discord.ui import Button, DynamicItem, Item, View

from bot.views import QuestionCard, ResultsView

SLUG = r"[a-z0-9][a-z0-9_-]{0,63}"
ANSWER_INPUT_ID = "answer"
ANSWER_MAX = 1000
MODAL_RE = re.compile(r"quiz:modal:(?P<kind>post|dlv):(?P<id>[0-9]{1,20})")


def _button(item: Item[Any]) -> Button[Any]:
    """The button a dynamic item of ours was made from: discord.py hands it over typed as any Item."""
    if not isinstance(item, Button):
        raise TypeError(f"a quiz control must be a button, not {type(item).__name__}")
    return item


class PostChoiceButton(DynamicItem[Button], template=rf"quiz:post:(?P<post>[0-9]{{1,20}}):(?P<choice>{SLUG})"):
    def __init__(self, post_id: int, choice_id: str, label: str = "?", *, style: ButtonStyle = ButtonStyle.primary,
                 disabled: bool = False):
        super().__init__(Button(label=label, style=style, disabled=disabled, custom_id=f"quiz:post:{post_id}:{choice_id}"))
        self.post_id, self.choice_id = post_id, choice_id

    @classmethod
    async def from_custom_id(cls, interaction: Interaction, item: Item[Any], match: re.Match[str], /):
        button = _button(item)
        return cls(int(match["post"]), match["choice"], button.label or "?", style=button.style, disabled=button.disabled)

    async def callback(self, interaction: Interaction) -> Any:
        interaction.client.dispatch("quiz_post_choice", interaction, self.post_id, self.choice_id)


class PostTextButton(DynamicItem[Button], template=r"quiz:posttext:(?P<post>[0-9]{1,20})"):
    def __init__(self, post_id: int, *, label: str = "Answer", disabled: bool = False):
        super().__init__(Button(label=label, emoji="✍️", style=ButtonStyle.primary, disabled=disabled,
                                custom_id=f"quiz:posttext:{post_id}"))
        self.post_id = post_id

    @classmethod
    async def from_custom_id(cls, interaction: Interaction, item: Item[Any], match: re.Match[str], /):
        button = _button(item)
        return cls(int(match["post"]), label=button.label or "Answer", disabled=button.disabled)

    async def callback(self, interaction: Interaction) -> Any:
        interaction.client.dispatch("quiz_post_text", interaction, self.post_id)


class DeliveryChoiceButton(DynamicItem[Button], template=rf"quiz:dlv:(?P<delivery>[0-9]{{1,20}}):(?P<choice>{SLUG})"):
    def __init__(self, delivery_id: int, choice_id: str, label: str = "?", *, disabled: bool = False):
        super().__init__(Button(label=label, style=ButtonStyle.primary, disabled=disabled,
                                custom_id=f"quiz:dlv:{delivery_id}:{choice_id}"))
        self.delivery_id, self.choice_id = delivery_id, choice_id

    @classmethod
    async def from_custom_id(cls, interaction: Interaction, item: Item[Any], match: re.Match[str], /):
        button = _button(item)
        return cls(int(match["delivery"]), match["choice"], button.label or "?", disabled=button.disabled)

    async def callback(self, interaction: Interaction) -> Any:
        interaction.client.dispatch("quiz_delivery_choice", interaction, self.delivery_id, self.choice_id)


class DeliveryTextButton(DynamicItem[Button], template=r"quiz:dlvtext:(?P<delivery>[0-9]{1,20})"):
    def __init__(self, delivery_id: int, *, label: str = "Answer"):
        super().__init__(Button(label=label, emoji="✍️", style=ButtonStyle.primary, custom_id=f"quiz:dlvtext:{delivery_id}"))
        self.delivery_id = delivery_id

    @classmethod
    async def from_custom_id(cls, interaction: Interaction, item: Item[Any], match: re.Match[str], /):
        button = _button(item)
        return cls(int(match["delivery"]), label=button.label or "Answer")

    async def callback(self, interaction: Interaction) -> Any:
        interaction.client.dispatch("quiz_delivery_text", interaction, self.delivery_id)


class LessonStepButton(DynamicItem[Button], template=rf"quiz:lesson:(?P<lesson>{SLUG}):(?P<step>[0-9]{{1,3}}|done)"):
    def __init__(self, lesson_id: str, step: int | str, label: str = "Next ▶", *,
                 style: ButtonStyle = ButtonStyle.secondary):
        super().__init__(Button(label=label, style=style, custom_id=f"quiz:lesson:{lesson_id}:{step}"))
        self.lesson_id, self.step = lesson_id, step

    @classmethod
    async def from_custom_id(cls, interaction: Interaction, item: Item[Any], match: re.Match[str], /):
        button = _button(item)
        step = match["step"]
        return cls(match["lesson"], step if step == "done" else int(step), button.label or "Next ▶", style=button.style)

    async def callback(self, interaction: Interaction) -> Any:
        interaction.client.dispatch("quiz_lesson_step", interaction, self.lesson_id, self.step)


class PracticeButton(DynamicItem[Button], template=r"quiz:practice"):
    def __init__(self, label: str = "Another question", *, style: ButtonStyle = ButtonStyle.secondary):
        super().__init__(Button(label=label, emoji="🔀", style=style, custom_id="quiz:practice"))

    @classmethod
    async def from_custom_id(cls, interaction: Interaction, item: Item[Any], match: re.Match[str], /):
        button = _button(item)
        return cls(button.label or "Another question", style=button.style)

    async def callback(self, interaction: Interaction) -> Any:
        interaction.client.dispatch("quiz_practice", interaction)


class ReviewButton(DynamicItem[Button], template=r"quiz:review"):
    def __init__(self, label: str = "Next review", *, style: ButtonStyle = ButtonStyle.secondary):
        super().__init__(Button(label=label, emoji="🔁", style=style, custom_id="quiz:review"))

    @classmethod
    async def from_custom_id(cls, interaction: Interaction, item: Item[Any], match: re.Match[str], /):
        button = _button(item)
        return cls(button.label or "Next review", style=button.style)

    async def callback(self, interaction: Interaction) -> Any:
        interaction.client.dispatch("quiz_review", interaction)


DYNAMIC_ITEMS = (PostChoiceButton, PostTextButton, DeliveryChoiceButton, DeliveryTextButton, LessonStepButton,
                 PracticeButton, ReviewButton)


def is_ours(custom_id: str) -> bool:
    """Whether a component's custom_id is one a DynamicItem above will answer (the bot keeps no other views)."""
    return any(item.__discord_ui_compiled_template__.fullmatch(custom_id) for item in DYNAMIC_ITEMS)


# Views --------------------------------------------------------------------------
def post_view(post_id: int, card: QuestionCard, results: ResultsView | None = None) -> View:
    """The daily post's buttons; with results, the same buttons disabled and the right one green."""
    view = View(timeout=None)
    if not card.choices:
        view.add_item(PostTextButton(post_id, label="Closed" if results else "Answer", disabled=results is not None))
        return view
    shares = {c.label: c for c in results.choices} if results else {}
    for choice in card.choices:
        share = shares.get(choice.label)
        if results is None:
            view.add_item(PostChoiceButton(post_id, choice.id, choice.label))
            continue
        label = f"{choice.label} · {share.share:.0%}" if share else choice.label
        style = ButtonStyle.success if share and share.correct else ButtonStyle.secondary
        view.add_item(PostChoiceButton(post_id, choice.id, label, style=style, disabled=True))
    return view


def question_view(card: QuestionCard, continuation: Item | None = None) -> View:
    """A lesson or practice question: its choices (or Answer), plus how to go on without answering."""
    view = View(timeout=None)
    if card.choices:
        for choice in card.choices:
            view.add_item(DeliveryChoiceButton(card.delivery_id, choice.id, choice.label))
    else:
        view.add_item(DeliveryTextButton(card.delivery_id))
    if continuation is not None:
        view.add_item(continuation)
    return view


def single(item: Item | None) -> View | None:
    if item is None:
        return None
    view = View(timeout=None)
    view.add_item(item)
    return view


def lesson_continuation(lesson_id: str, next_step: int | str, *, answered: bool) -> LessonStepButton:
    if next_step == "done":
        return LessonStepButton(lesson_id, "done", "Finish ✔" if answered else "Skip to the end",
                                style=ButtonStyle.success if answered else ButtonStyle.secondary)
    return LessonStepButton(lesson_id, next_step, "Next ▶" if answered else "Skip ▶",
                            style=ButtonStyle.success if answered else ButtonStyle.secondary)


def continuation_after_answer(message: discord.Message | None) -> Item | None:
    """The way on from a question message (its lesson step or 'another question'), relabelled for after the answer."""
    for custom_id in _custom_ids(message):
        lesson = LessonStepButton.__discord_ui_compiled_template__.fullmatch(custom_id)
        if lesson:
            step = lesson["step"]
            return lesson_continuation(lesson["lesson"], step if step == "done" else int(step), answered=True)
        if PracticeButton.__discord_ui_compiled_template__.fullmatch(custom_id):
            return PracticeButton(style=ButtonStyle.success)
    return None


def _custom_ids(message: discord.Message | None) -> list[str]:
    found: list[str] = []
    for component in getattr(message, "components", None) or []:
        for child in getattr(component, "children", None) or [component]:
            custom_id = getattr(child, "custom_id", None)
            if custom_id:
                found.append(custom_id)
    return found


# Modals ---------------------------------------------------------------------------
def answer_modal(kind: str, target_id: int, prompt: str = "") -> discord.ui.Modal:
    """A one-field modal. It is stopped before sending, so discord.py does not keep it in memory:
    the submit is routed by its custom_id (see PostsCog.on_interaction), also after a restart."""
    modal = discord.ui.Modal(title="Your answer", custom_id=f"quiz:modal:{kind}:{target_id}", timeout=None)
    placeholder = " ".join(prompt.split())
    modal.add_item(discord.ui.TextInput(
        label="Answer in a few words", custom_id=ANSWER_INPUT_ID, style=discord.TextStyle.paragraph,
        min_length=1, max_length=ANSWER_MAX,
        placeholder=(placeholder[:99] + "…") if len(placeholder) > 100 else (placeholder or None)))
    modal.stop()
    return modal


def modal_answer(data: Mapping[str, object] | None) -> str:
    """The text typed into the answer field of a modal submit payload (classic rows or labels); a payload
    of another shape than Discord's gives no answer rather than an error."""
    def walk(components: object) -> str | None:
        for component in components if isinstance(components, list) else []:
            if not isinstance(component, dict):
                continue
            value = component.get("value")
            if component.get("custom_id") == ANSWER_INPUT_ID and isinstance(value, str):
                return value
            for nested in (component.get("components"), [component["component"]] if "component" in component else None):
                found = walk(nested)
                if found is not None:
                    return found
        return None
    return walk(data.get("components") if isinstance(data, dict) else None) or ""
