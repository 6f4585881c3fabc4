"""Pure rendering and parsing for Slack: escaping, Block Kit limits, the schedule form and its field errors."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from adapters.slack import blocks as bk
from adapters.slack import modals as md
from bot.errors import BadInput
from bot.views import ChoiceShare, ChoiceView, LeaderboardView, LeaderRow, QuestionCard, ResultsView, ScheduleView, Verdict


def card(**kw) -> QuestionCard:
    values = dict(delivery_id=7, question_id="q1", lesson_id="l1", lesson_title="Lesson <b> & co", prompt="Is 1 < 2?",
                  kind="single_choice", difficulty=2,
                  choices=(ChoiceView("a", "1", "Yes, and " + "very " * 30 + "long"), ChoiceView("b", "2", "No <@U1>")))
    values.update(kw)
    return QuestionCard(**values)


def test_escape_neutralises_mentions_and_markup():
    assert bk.escape("<!channel> & <@U1|x> <https://evil|click>") == \
        "&lt;!channel&gt; &amp; &lt;@U1|x&gt; &lt;https://evil|click&gt;"
    assert bk.escape("&amp;") == "&amp;amp;"  # typed text is shown as typed


def test_post_message_fits_block_kit_and_escapes_content():
    text, blocks = bk.post_message(card(), post_id=42, answered=3, ping="S0123ABC")
    section, actions, foot = blocks
    assert section["text"]["text"].startswith("<!subteam^S0123ABC> ")
    assert "Is 1 &lt; 2?" in section["text"]["text"] and "No &lt;@U1&gt;" in section["text"]["text"]
    assert "Lesson &lt;b&gt; &amp; co" in section["text"]["text"]
    labels = [e["text"]["text"] for e in actions["elements"]]
    assert all(len(label) <= 75 for label in labels) and labels[0].endswith("…")
    assert [e["action_id"] for e in actions["elements"]] == ["post:42:a", "post:42:b"]
    assert "*3* answered so far" in foot["elements"][0]["text"]
    assert "<" not in text.replace("&lt;", "")
    _, blocks = bk.post_message(card(), post_id=42, ping="<!everyone>")  # a ping that is not a user group id
    assert "everyone" not in str(blocks)
    _, blocks = bk.post_message(card(kind="free_text", choices=()), post_id=5)
    assert blocks[1]["elements"][0]["action_id"] == "post_text:5"


def test_results_and_verdict():
    results = ResultsView(42, "q1", "Is 1 < 2?", "1. Yes", "Because <math>.", 4, 3,
                          (ChoiceShare("y", "1", "Yes", 3, 0.75, True), ChoiceShare("n", "2", "No", 1, 0.25, False)),
                          (("<!here>", 5),))
    _, blocks = bk.results_message(card(), results)
    shown = str(blocks)
    assert "actions" not in shown and "4 answered · 75% right" in shown and "&lt;!here&gt; (5)" in shown
    assert "Because &lt;math&gt;." in shown
    v = Verdict("repeat", "q1", correct=False, close=True, your_answer="<!channel>", right_answer="KL", points=0,
                total_points=30, streak=2)
    text, _ = bk.verdict_message(v)
    assert "already answered" in text and "Close, but not quite" in text and "&lt;!channel&gt;" in text
    assert "closed" in bk.verdict_message(Verdict("closed", "q1"))[0]


def test_a_verdict_note_replaces_the_wrong_head():
    v = Verdict("new", "q1", your_answer="idk", right_answer="KL", non_answer=True, note="No worries <here>.")
    text, _ = bk.verdict_message(v)
    assert "No worries &lt;here&gt;." in text and "Not quite" not in text and "*Answer:* KL" in text


def test_leaderboard_appends_me_and_escapes_names():
    me = LeaderRow(12, "Me <x>", 5, 1, 1.0, 1, is_me=True)
    board = LeaderboardView("week", date(2026, 5, 4), None, (LeaderRow(1, "<!channel>", 50, 5, 0.8, 3),), me, 12)
    text = bk.leaderboard_text(board)
    assert "1. &lt;!channel&gt; — 50 pts" in text and "*12. Me &lt;x&gt; (you)" in text


def test_parse_schedule_and_field_mapping():
    state = {"values": {
        "channel": {"value": {"type": "conversations_select", "selected_conversation": "C1"}},
        "time": {"value": {"type": "timepicker", "selected_time": "07:45"}},
        "timezone": {"value": {"type": "plain_text_input", "value": "  "}},
        "weekdays": {"value": {"type": "checkboxes", "selected_options": [{"value": "mon"}, {"value": "fri"}]}},
        "lessons": {"value": {"type": "multi_static_select", "selected_options": [{"value": "l1"}]}},
        "tags": {"value": {"type": "plain_text_input", "value": "basics, loss ,"}},
        "open_minutes": {"value": {"type": "number_input", "value": "30"}},
        "options": {"value": {"type": "checkboxes", "selected_options": [{"value": "thread"}]}},
    }}
    form = md.parse_schedule(state)
    spec = form.spec("general")
    assert (spec.channel_id, spec.time, spec.timezone, spec.weekdays) == ("C1", "07:45", None, "mon,fri")
    assert spec.lessons == ("l1",) and spec.tags == ("basics", "loss") and spec.open_minutes == 30
    assert spec.results_in_thread and not spec.shuffle and spec.channel_name == "general"
    assert "channel_id" not in form.changes()
    with pytest.raises(md.FieldError) as err:
        md.parse_schedule({"values": {"open_minutes": {"value": {"value": "1.5"}}}})
    assert err.value.field == "open_minutes"
    fields = ("channel", "time", "timezone", "weekdays", "lessons", "tags", "open_minutes", "options")
    assert md.field_for(BadInput("'25:00' is not a time of day", field="time"), fields) == "time"
    assert md.field_for(BadInput("Unknown time zone 'Mars/X'", field="timezone"), fields) == "timezone"
    assert md.field_for(BadInput("'xyz' is not a weekday", field="weekdays"), fields) == "weekdays"
    assert md.field_for(BadInput("No lesson matches 'zz'", field="lessons"), fields) == "lessons"
    assert md.field_for(BadInput("That channel already has a schedule (#3)", field="channel"), fields) == "channel"
    # Without a named field (or one the form lacks) the wording decides, then the first field.
    assert md.field_for(BadInput("A schedule stays with its channel", field="channel"), fields[1:]) == "time"
    assert md.field_for(ValueError("Unknown time zone 'Mars/X'"), fields) == "timezone"
    assert md.field_for(ValueError("Something new"), fields[1:]) == "time"


def test_schedule_modal_prefills_an_edit():
    view = ScheduleView(3, "slack", "C0999", "quiz", "06:30", ("sat", "sun"), "Asia/Tokyo", ("l1",), ("x",), True, 45,
                        None, True, False, None, None, 10, 4)
    from bot.views import LessonListing
    modal = md.schedule_view([LessonListing(1, "l1", "Lesson", "s", 2, 3, 0)], view)
    blocks = {b.get("block_id"): b for b in modal["blocks"]}
    assert "channel" not in blocks and "<#C0999>" in str(modal["blocks"][0])
    assert blocks["time"]["element"]["initial_time"] == "06:30"
    assert blocks["timezone"]["element"]["initial_value"] == "Asia/Tokyo"
    assert [o["value"] for o in blocks["weekdays"]["element"]["initial_options"]] == ["sat", "sun"]
    assert [o["value"] for o in blocks["lessons"]["element"]["initial_options"]] == ["l1"]
    assert blocks["open_minutes"]["element"]["initial_value"] == "45"
    assert {o["value"] for o in blocks["options"]["element"]["initial_options"]} == {"shuffle", "thread"}
    assert md.read_meta(modal) == {"id": 3}
    summary = md.schedule_summary(view)
    assert "⏸ *paused*" in summary and "Sat, Sun" in summary


def test_date_token_has_a_fallback():
    when = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
    assert bk.date_token(when) == "<!date^1777881600^{date_short_pretty} at {time}|2026-05-04 08:00 UTC>"
