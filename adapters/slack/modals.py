"""Modals: the study flow (lessons and practice), the free-text answer, and the admin's schedule form.

Building views is pure; `parse_schedule` turns a view_submission's state into what the engine
takes, and `field_for` maps an engine BadInput sentence onto the form field it is about.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from adapters.slack.blocks import (
    actions,
    button,
    channel_ref,
    date_token,
    escape,
    lesson_list_blocks,
    plain,
    question_text,
    section,
    snippet_blocks,
    truncate,
    user_text,
    verdict_blocks,
)
from bot.views import LessonListing, QuestionCard, ScheduleSpec, ScheduleView, SnippetCard, Verdict

STUDY, POST_ANSWER, SCHEDULE, NOTE = "study", "post_answer", "schedule", "note"
TITLE_MAX = 24
WEEKDAYS = (("mon", "Monday"), ("tue", "Tuesday"), ("wed", "Wednesday"), ("thu", "Thursday"), ("fri", "Friday"),
            ("sat", "Saturday"), ("sun", "Sunday"))
OPTION_SHUFFLE, OPTION_THREAD = "shuffle", "thread"
RECAP_OFF = "off"


def modal(callback_id: str, title: str, blocks: list[dict], meta: dict | None = None, submit: str | None = None,
          close: str = "Close") -> dict:
    view = {"type": "modal", "callback_id": callback_id, "title": plain(title, TITLE_MAX),
            "close": plain(close, TITLE_MAX), "blocks": blocks[:100]}
    if submit:
        view["submit"] = plain(submit, TITLE_MAX)
    if meta is not None:
        view["private_metadata"] = json.dumps(meta, separators=(",", ":"))[:3000]
    return view


def read_meta(view: dict) -> dict:
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}


def note_view(title: str, text: str) -> dict:
    """A modal that just says something (a refusal, an error, a confirmation); `text` is escaped here."""
    return modal(NOTE, title, [section(user_text(text))])


def pending_view(title: str, text: str = "Working on it…") -> dict:
    return modal(NOTE, title, [section(f"⏳ {escape(text)}")])


# Study: lessons and practice in one modal ------------------------------------------------------
@dataclass
class StudyState:
    """Where a learner is, kept in the modal itself (the engine checks every delivery id it gets)."""

    mode: str  # lesson | practice | review
    lesson: str = ""
    snippet: int = 0  # next snippet to show
    snippets: int = 0
    question: int = 0  # next question index
    questions: int = 0
    delivery: int | None = None

    def dump(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v not in (None, "")}

    @classmethod
    def load(cls, meta: dict) -> StudyState | None:
        try:
            known = {k: meta[k] for k in cls.__dataclass_fields__ if k in meta}
            state = cls(**known)
        except TypeError:
            return None
        ints = (state.snippet, state.snippets, state.question, state.questions)
        if state.mode not in ("lesson", "practice", "review") or not all(isinstance(i, int) for i in ints):
            return None
        if state.delivery is not None and not isinstance(state.delivery, int):
            return None
        return state


def lesson_list_view(items: list[LessonListing]) -> dict:
    return modal(STUDY, "Lessons", [section("Pick a lesson: read its parts, then answer its questions."),
                                    *lesson_list_blocks(items)], {"mode": "list"})


def snippet_view(card: SnippetCard, state: StudyState) -> dict:
    label = "Questions ▸" if card.is_last else "Next ▸"
    return modal(STUDY, truncate(card.lesson_title, TITLE_MAX), [*snippet_blocks(card), actions(
        button(label, "study_next", style="primary"), block_id="nav")], state.dump())


def question_view(card: QuestionCard, state: StudyState) -> dict:
    title = {"practice": "Practice", "review": "Review"}.get(state.mode) or truncate(card.lesson_title, TITLE_MAX)
    head = f"*Review* · _{escape(card.lesson_title)}_ · difficulty {card.difficulty}" if state.mode == "review" else None
    blocks = [section(question_text(card, head), block_id="question")]
    if card.choices:
        blocks.append(actions(*[button(f"{c.label}", f"study_answer:{c.id}", f"{card.delivery_id}:{c.id}")
                                for c in card.choices], block_id="choices"))
        return modal(STUDY, title, blocks, state.dump())
    blocks.append(answer_input())
    return modal(STUDY, title, blocks, state.dump(), submit="Check")


def answer_input() -> dict:
    return {"type": "input", "block_id": "answer", "label": plain("Your answer"),
            "element": {"type": "plain_text_input", "action_id": "text", "max_length": 500,
                        "placeholder": plain("In a few words")}}


def verdict_view(verdict: Verdict, state: StudyState, title: str) -> dict:
    if state.mode == "practice":
        nxt = button("Another question ▸", "study_next", style="primary")
    elif state.question < state.questions:
        nxt = button("Next question ▸", "study_next", style="primary")
    else:
        nxt = button("Finish ▸", "study_next", style="primary")
    return modal(STUDY, title, [*verdict_blocks(verdict), actions(nxt, block_id="nav")], state.dump())


def done_view(lesson_title: str) -> dict:
    return modal(STUDY, "Lesson complete", [
        section(f"🎉 *Lesson complete:* {escape(lesson_title)}\n`/quiz streak` shows your streak, "
                "`/quiz lesson` what's next.")])


def post_answer_view(card: QuestionCard, meta: dict) -> dict:
    """A daily post's free-text question, answered in a modal."""
    head = f"*Daily question* · _{escape(card.lesson_title)}_"
    return modal(POST_ANSWER, "Daily question", [section(question_text(card, head)), answer_input()], meta,
                 submit="Answer")


def answered_view(verdict: Verdict) -> dict:
    return modal(NOTE, "Your answer", verdict_blocks(verdict))


# Admin: the schedule form ----------------------------------------------------------------------
def _option(value: str, text: str) -> dict:
    return {"text": plain(text, 75), "value": value[:150]}


def schedule_view(lessons: list[LessonListing], existing: ScheduleView | None = None,
                  default_timezone: str = "") -> dict:
    """Add (existing None) or edit one schedule. Block ids are the field names `field_for` returns."""
    blocks: list[dict] = []
    if existing is None:
        blocks.append({"type": "input", "block_id": "channel", "label": plain("Channel"),
                       "hint": plain("Private channel? Invite the bot first: /invite @quizbot"),
                       "element": {"type": "conversations_select", "action_id": "value",
                                   "placeholder": plain("Where the daily question goes"),
                                   "filter": {"include": ["public", "private"], "exclude_bot_users": True,
                                              "exclude_external_shared_channels": True}}})
    else:
        blocks.append(section(f"*Channel:* {channel_ref(existing.channel_id, existing.channel_name)}"))
    timepicker = {"type": "timepicker", "action_id": "value", "initial_time": existing.time if existing else "09:00"}
    blocks.append({"type": "input", "block_id": "time", "label": plain("Time of day"), "element": timepicker})
    tz = {"type": "plain_text_input", "action_id": "value", "placeholder": plain("e.g. Europe/Berlin")}
    initial_tz = existing.timezone if existing else default_timezone
    if initial_tz:
        tz["initial_value"] = initial_tz
    blocks.append({"type": "input", "block_id": "timezone", "label": plain("Time zone"), "optional": True,
                   "hint": plain("An IANA name; empty: the workspace's zone."), "element": tz})
    days = [_option(v, t) for v, t in WEEKDAYS]
    chosen = set(existing.weekdays) if existing else {"mon", "tue", "wed", "thu", "fri"}
    weekdays = {"type": "checkboxes", "action_id": "value", "options": days}
    if chosen:
        weekdays["initial_options"] = [o for o in days if o["value"] in chosen]
    blocks.append({"type": "input", "block_id": "weekdays", "label": plain("Weekdays"), "element": weekdays})
    options = [_option(item.id, f"{item.number}. {item.title}") for item in lessons[:100]]
    track = {"type": "multi_static_select", "action_id": "value", "placeholder": plain("All lessons")}
    if options:
        track["options"] = options
        picked = set(existing.lessons) if existing else set()
        initial = [o for o in options if o["value"] in picked]
        if initial:
            track["initial_options"] = initial
    else:
        track = {"type": "plain_text_input", "action_id": "value"}
    blocks.append({"type": "input", "block_id": "lessons", "label": plain("Track: lessons"), "optional": True,
                   "hint": plain("Empty: every lesson, in course order."), "element": track})
    tags = {"type": "plain_text_input", "action_id": "value", "placeholder": plain("comma-separated, optional")}
    if existing and existing.tags:
        tags["initial_value"] = ", ".join(existing.tags)
    blocks.append({"type": "input", "block_id": "tags", "label": plain("Track: tags"), "optional": True,
                   "element": tags})
    minutes = {"type": "number_input", "action_id": "value", "is_decimal_allowed": False, "min_value": "1",
               "placeholder": plain("until the next post")}
    if existing and existing.open_minutes:
        minutes["initial_value"] = str(existing.open_minutes)
    blocks.append({"type": "input", "block_id": "open_minutes", "label": plain("Open for (minutes)"),
                   "optional": True, "element": minutes})
    blocks.append(_recap_block(existing))
    flags = [_option(OPTION_SHUFFLE, "Shuffle the track"), _option(OPTION_THREAD, "Post the results in a thread")]
    checks = {"type": "checkboxes", "action_id": "value", "options": flags}
    on = {OPTION_SHUFFLE: bool(existing and existing.shuffle), OPTION_THREAD: bool(existing and existing.results_in_thread)}
    if any(on.values()):
        checks["initial_options"] = [o for o in flags if on[o["value"]]]
    blocks.append({"type": "input", "block_id": "options", "label": plain("Options"), "optional": True,
                   "element": checks})
    title = "Edit schedule" if existing else "Add a schedule"
    return modal(SCHEDULE, title, blocks, {"id": existing.id if existing else None}, submit="Save", close="Cancel")


def _recap_block(existing: ScheduleView | None) -> dict:
    """The weekly recap's day, or off (a new schedule: Monday)."""
    choices = [_option(v, t) for v, t in WEEKDAYS] + [_option(RECAP_OFF, "Off: no weekly recap")]
    current = (existing.recap_weekday or RECAP_OFF) if existing else "mon"
    return {"type": "input", "block_id": "recap", "label": plain("Weekly recap"),
            "hint": plain("Last week's figures and chart, at the posting time, before that day's question."),
            "element": {"type": "static_select", "action_id": "value", "options": choices,
                        "initial_option": next(o for o in choices if o["value"] == current)}}


class FieldError(Exception):
    """A form value we could not even read; shown on its field."""

    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name


@dataclass
class ScheduleForm:
    channel_id: str | None
    time: str
    timezone: str | None
    weekdays: str
    lessons: tuple[str, ...]
    tags: tuple[str, ...]
    open_minutes: int | None
    shuffle: bool
    results_in_thread: bool
    recap_weekday: str | None = "mon"  # None: off

    def spec(self, channel_name: str = "") -> ScheduleSpec:
        return ScheduleSpec(channel_id=self.channel_id or "", time=self.time, weekdays=self.weekdays,
                            timezone=self.timezone, lessons=self.lessons, tags=self.tags, shuffle=self.shuffle,
                            open_minutes=self.open_minutes, results_in_thread=self.results_in_thread,
                            channel_name=channel_name, recap_weekday=self.recap_weekday)

    def changes(self) -> dict:
        return dict(time=self.time, weekdays=self.weekdays, timezone=self.timezone, lessons=self.lessons,
                    tags=self.tags, shuffle=self.shuffle, open_minutes=self.open_minutes,
                    results_in_thread=self.results_in_thread, recap_weekday=self.recap_weekday)


def _element(values: dict, block: str) -> dict:
    found = (values.get(block) or {}).get("value")
    return found if isinstance(found, dict) else {}


def _selected(element: dict) -> list[str]:
    return [str(o.get("value", "")) for o in element.get("selected_options") or [] if isinstance(o, dict)]


def parse_schedule(state: dict) -> ScheduleForm:
    """A view_submission's `view.state` → the form's values, as typed (the engine validates them)."""
    values = (state or {}).get("values") or {}
    channel = _element(values, "channel")
    channel_id = channel.get("selected_conversation") or channel.get("selected_channel") or channel.get("value")
    at = _element(values, "time")
    time = at.get("selected_time") or at.get("value") or ""
    tz = (_element(values, "timezone").get("value") or "").strip() or None
    weekdays = ",".join(_selected(_element(values, "weekdays")))
    track = _element(values, "lessons")
    lessons = tuple(_selected(track)) or tuple(p.strip() for p in (track.get("value") or "").split(",") if p.strip())
    tags = tuple(p.strip() for p in (_element(values, "tags").get("value") or "").split(",") if p.strip())
    raw_minutes = (_element(values, "open_minutes").get("value") or "").strip()
    open_minutes = None
    if raw_minutes:
        try:
            open_minutes = int(raw_minutes)
        except ValueError:
            raise FieldError("open_minutes", "Give a whole number of minutes, or leave it empty.") from None
    flags = set(_selected(_element(values, "options")))
    recap = str((_element(values, "recap").get("selected_option") or {}).get("value") or "mon")
    return ScheduleForm(channel_id, str(time), tz, weekdays, lessons, tags, open_minutes,
                        OPTION_SHUFFLE in flags, OPTION_THREAD in flags, None if recap == RECAP_OFF else recap)


# Which field an engine sentence is about. The engine words its BadInput for people; until it says
# which field (see the README's notes for the core), match the sentence. First match wins.
FIELD_HINTS = (
    ("channel", ("channel",)),
    ("time", ("is not a time",)),
    ("timezone", ("time zone",)),
    ("weekdays", ("weekday",)),
    ("open_minutes", ("stay open", "minute")),
    ("recap", ("recap",)),
    ("lessons", ("lesson", "track", "tag", "question")),
)


def field_for(err: Exception, fields: tuple[str, ...]) -> str:
    """The form field an engine error is about: its own `field` when it names one, else by its wording."""
    named = getattr(err, "field", None)
    if isinstance(named, str) and named in fields:
        return named
    text = str(err).lower()
    for name, hints in FIELD_HINTS:
        if name in fields and any(h in text for h in hints):
            return name
    return "time" if "time" in fields else fields[0]


def form_fields(view: dict) -> tuple[str, ...]:
    return tuple(b["block_id"] for b in view.get("blocks", []) if b.get("type") == "input" and b.get("block_id"))


def schedule_summary(s: ScheduleView) -> str:
    """One schedule as the App Home lists it (mrkdwn; channel names are escaped)."""
    days = ", ".join(d.title() for d in s.weekdays) if len(s.weekdays) < 7 else "every day"
    track = ", ".join(escape(t) for t in s.lessons) if s.lessons else "all lessons"
    if s.tags:
        track += " · tags " + ", ".join(escape(t) for t in s.tags)
    state = "" if s.enabled else " · ⏸ *paused*"
    lines = [f"*#{s.id}* {channel_ref(s.channel_id, s.channel_name)} · {s.time} {escape(s.timezone)} · {days}{state}",
             f"Track: {track} ({s.remaining}/{s.track_size} questions left)"
             + (" · shuffled" if s.shuffle else "") + (f" · open {s.open_minutes} min" if s.open_minutes else "")
             + f" · weekly recap {'on ' + s.recap_weekday.title() if s.recap_weekday else 'off'}"]
    if s.next_utc is not None:
        lines.append(f"Next post: {date_token(s.next_utc)}")
    if s.skipped_dates:
        lines.append("Skipping: " + ", ".join(d.isoformat() for d in s.skipped_dates))
    if s.warning:
        lines.append(f"⚠️ {escape(s.warning)}")
    return "\n".join(lines)

