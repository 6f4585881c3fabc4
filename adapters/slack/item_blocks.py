"""The App Home's "Questions to review" section (admins): flagged questions with their reasons and a
Retire button, and retired questions with a Bring back button."""
from __future__ import annotations

import re

from adapters.slack.blocks import actions, button, confirm_dialog, context, divider, header, section, user_text
from bot.item_views import ItemAnalysis, ItemReport

RETIRE = re.compile(r"^items_(retire|unretire):")
SHOWN = 8  # flagged questions in the Home tab (a view holds at most 100 blocks)


def pct(x: float | None) -> str:
    return "–" if x is None else f"{x * 100:.0f}%"


def item_text(item: ItemReport) -> str:
    f = item.figures
    disc = "–" if f.discrimination is None else f"{f.discrimination:+.2f}"
    lines = [f"*`{item.question_id}`* — {user_text(item.prompt[:150])}",
             f"{f.attempts} learners · facility {pct(f.facility)} · discrimination {disc}"]
    lines += [f"⚠️ {user_text(flag.reason)}" for flag in item.flags]
    return "\n".join(lines)[:2900]


def review_blocks(report: ItemAnalysis) -> list[dict]:
    blocks = [divider(), header("Questions to review (admins)")]
    flagged = [item for item in report.to_review if not item.retired]
    if not flagged:
        blocks.append(section("No question in the schedules is flagged (flags need at least 30 first answers)."))
    for item in flagged[:SHOWN]:
        blocks.append(section(item_text(item), block_id=f"item:{item.question_id}"[:255]))
        blocks.append(actions(button("Retire", f"items_retire:{item.question_id}", item.question_id, style="danger",
                                     confirm=confirm_dialog("Retire question?", "No schedule here posts it again; "
                                                            "answers where it was posted still count.", "Retire")),
                              block_id=f"item_actions:{item.question_id}"[:255]))
    retired = [item for item in report.items if item.retired]
    if retired:
        blocks.append(context("Retired from the schedules: " + ", ".join(f"`{i.question_id}`" for i in retired[:20])))
        blocks.append(actions(*(button(f"Bring back {i.question_id}"[:75], f"items_unretire:{i.question_id}",
                                       i.question_id) for i in retired[:5]), block_id="items_retired"))
    return blocks
