"""Whatever a person types (a group name, a display name, a free-text answer, a word an error sentence
quotes back) is shown by the Discord and Slack renderers as text: it never becomes a mention token
and never adds, removes or unbalances markup. Property-based: each renderer is fed generated text
(arbitrary, and built from the fragments that matter) and compared with the same renderer fed a
harmless word — the markup around the user's text must be exactly the same, and the text itself
must still be readable in the message.
"""
from __future__ import annotations

import re
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.discord import render as dr
from adapters.slack import blocks as bk
from adapters.slack import modals as md
from adapters.slack.home import HomeData, home_view
from bot.views import Actor, GroupChange, GroupView, LeaderboardView, LeaderRow, ResultsView, StreakView, Verdict

ZWSP = "\u200b"
FRAGMENTS = [
    "@everyone", "@here", "@channel", "@U123", "<!channel>", "<!here>", "<!everyone>", "<@U123ABC>", "<@W1|bob>",
    "<@123456789012345678>", "<@!123456789012345678>", "<@&123456789012345678>", "<#123456789012345678>",
    "<#C123|general>", "<!subteam^S123>", "<!date^0^{date}|x>", "</quiz:123456789012345678>", "<t:0:R>",
    "<:smile:123456789012345678>", "<https://evil.example|click>", "[click](https://evil.example)",
    "https://a.example/_x_*y*~z~", "*", "**", "_", "__", "~", "~~", "`", "```", "|", "||", "\\", ">", ">>> ",
    "# ", "## ", "-# ", "- ", "1. ", "&", "&amp;", "&lt;", "\n", "\t", " ", ZWSP, "x", "Ada",
]
USER_TEXT = st.one_of(st.text(max_size=40),
                      st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=3)), max_size=10).map("".join))
PLAIN = "Ada"
SHORT = 30  # shorter than every clip limit below: the whole text must be visible
CHECKS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def one_line(text: str) -> str:
    return " ".join(text.split())


# Discord ------------------------------------------------------------------------------------------------
DISCORD_TOKEN = re.compile(r"@(?:everyone|here)|<(?:@[!&]?\d+|#\d+|/[^<>:\s]+:\d+|a?:\w+:\d+|t:-?\d+(?::\w)?)>")
DISCORD_LINK = re.compile(r"\[[^\[\]]*\]\([^()\s]+\)")
DISCORD_LINE_MARK = re.compile(r"\s*(>|#{1,3} |-# |[-*+] |\d+\. )")


def embed_text(out) -> str:
    if isinstance(out, str):
        return out
    data = out.to_dict()
    parts = [data.get("title", ""), data.get("description", ""), (data.get("footer") or {}).get("text", "")]
    for f in data.get("fields", []):
        parts += [f["name"], f["value"]]
    return "\n".join(parts)


def unescaped(text: str) -> str:
    """The characters Discord's markdown acts on: backslash-escaped ones dropped."""
    return re.sub(r"\\.", "", text, flags=re.DOTALL)


def discord_skeleton(text: str) -> tuple:
    bare = unescaped(text)
    return (re.findall(r"[*_~|`]", bare), len(DISCORD_LINK.findall(bare)), DISCORD_TOKEN.findall(bare),
            [bool(DISCORD_LINE_MARK.match(line)) for line in bare.split("\n")])


def discord_visible(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text, flags=re.DOTALL).replace(ZWSP, "")


def row(name: str) -> LeaderRow:
    return LeaderRow(1, name, 10, 2, 0.5, 3, is_me=True)


DISCORD_RENDERERS = {
    "group change": lambda s: dr.group_change_text(GroupChange("moved", s, previous=s)),
    "groups": lambda s: dr.groups_embed([GroupView(s, 2, 10, is_mine=True)]),
    "leaderboard": lambda s: dr.leaderboard_embed(LeaderboardView("week", None, s, (row(s),), row(s), 1)),
    "verdict": lambda s: dr.verdict_embed(Verdict("new", "q1", your_answer="x" + s, right_answer="KL", explanation="e")),
    "results": lambda s: dr.results_embed(ResultsView(1, "q1", "Prompt?", "KL", "e", 2, 1, (), ((s, 3),))),
    "error sentence": lambda s: dr.notice(f"There is no group called '{s}'."),
}


@CHECKS
@given(text=USER_TEXT, which=st.sampled_from(sorted(DISCORD_RENDERERS)))
def test_discord_user_text_never_pings_or_changes_markup(text, which):
    render = DISCORD_RENDERERS[which]
    shown, baseline = embed_text(render(text)), embed_text(render(PLAIN))
    assert discord_skeleton(shown) == discord_skeleton(baseline)
    if len(one_line(text)) <= SHORT:
        assert one_line(text).replace(ZWSP, "") in discord_visible(shown)


# Slack --------------------------------------------------------------------------------------------------
SLACK_TOKEN = re.compile(r"<[^<>]*>|@(?:here|channel|everyone)\b")
SLACK_FORMAT = re.compile(rf"(?<!{ZWSP})[*_~`]|[*_~`](?!{ZWSP})")  # a formatting character not fenced in
SLACK_LINE_MARK = re.compile(r"\s*(>|&gt;|[•\-*] |\d+\. )")


def slack_text(message) -> str:
    """Everything Slack parses as mrkdwn in a (fallback text, blocks) message or a view."""
    out: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":  # plain_text is shown as it is, never parsed
                out.append(node["text"])
            for value in node.values():
                if isinstance(value, (dict, list)):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    if isinstance(message, tuple):
        out.append(message[0])
        walk(message[1])
    else:
        walk(message)
    return "\n".join(out)


def slack_skeleton(text: str) -> tuple:
    return (SLACK_FORMAT.findall(text), SLACK_TOKEN.findall(text),
            [bool(SLACK_LINE_MARK.match(line)) for line in text.split("\n")])


def slack_visible(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").replace(ZWSP, "")


def home(s: str) -> dict:
    streak = StreakView(1, 2, 0, True, 10, 2, 1, date(2026, 5, 4))
    board = LeaderboardView("all", None, None, (row(s),), row(s), 1)
    actor = Actor("slack", "T1", "U1", s)
    return home_view(HomeData(actor, streak, board, GroupView(s, 2, 10, True), None, [], notice=f"No group '{s}'."))


SLACK_RENDERERS = {
    "group change": lambda s: bk.group_change_message(GroupChange("moved", s, previous=s)),
    "groups": lambda s: bk.groups_message([GroupView(s, 2, 10, is_mine=True)]),
    "leaderboard": lambda s: bk.leaderboard_message(LeaderboardView("week", None, s, (row(s),), row(s), 1)),
    "verdict": lambda s: bk.verdict_message(Verdict("new", "q1", your_answer="x" + s, right_answer="KL", explanation="e")),
    "results": lambda s: bk.results_blocks(ResultsView(1, "q1", "Prompt?", "KL", "e", 2, 1, (), ((s, 3),))),
    "error sentence": lambda s: bk.notice(f"There is no group called '{s}'."),
    "unknown command": lambda s: bk.help_message(unknown=s),
    "modal note": lambda s: md.note_view("Quiz", f"No lesson matches '{s}'."),
    "app home": home,
}


@CHECKS
@given(text=USER_TEXT, which=st.sampled_from(sorted(SLACK_RENDERERS)))
def test_slack_user_text_never_pings_or_changes_markup(text, which):
    render = SLACK_RENDERERS[which]
    shown, baseline = slack_text(render(text)), slack_text(render(PLAIN))
    assert slack_skeleton(shown) == slack_skeleton(baseline)
    if len(one_line(text)) <= SHORT and which != "unknown command":  # that one quotes the first 30 characters
        assert one_line(text).replace(ZWSP, "") in slack_visible(shown)
