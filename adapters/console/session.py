"""An interactive terminal session. It keeps only where the user is in a lesson; rules stay in the engine."""
from __future__ import annotations

import logging
import shlex
from collections.abc import Awaitable
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from adapters.console import reminders, render
from adapters.console.lines import LINE_MAX
from bot.clock import Clock, utc_now
from bot.engine import Engine
from bot.errors import BadInput, QuizError, StorageUnavailable
from bot.ids import parse_id
from bot.limits import USER_ID_MAX, clean_name
from bot.views import Actor, PostCard, QuestionCard, ScheduleSpec, Verdict

log = logging.getLogger(__name__)
COMMUNITY_ID = "local"
LOCAL_CHANNEL = "general"


def schedule_spec(channel: str, words: list[str]) -> ScheduleSpec:
    """'09:00 mon-fri tz=Europe/Berlin lessons=1,2 tags=a shuffle open=60' → a spec (the engine validates)."""
    options = dict(w.split("=", 1) for w in words[1:] if "=" in w)
    flags = {w.lower() for w in words[1:] if "=" not in w}
    days = next((w for w in words[1:] if "=" not in w and w.lower() != "shuffle"), "mon-fri")
    try:
        open_minutes = int(options["open"]) if "open" in options else None
    except ValueError:
        raise BadInput("open= takes a number of minutes.") from None
    return ScheduleSpec(channel, words[0], days, options.get("tz"),
                        tuple(x for x in options.get("lessons", "").split(",") if x),
                        tuple(x for x in options.get("tags", "").split(",") if x),
                        "shuffle" in flags, open_minutes, channel_name=f"#{channel}")


async def _remove(engine, actor, schedule_id, _now):
    return await engine.schedule_remove(actor, schedule_id)


SCHEDULE_ACTIONS = {
    "pause": lambda engine, actor, sid, now: engine.schedule_set_enabled(actor, sid, False, now),
    "resume": lambda engine, actor, sid, now: engine.schedule_set_enabled(actor, sid, True, now),
    "remove": _remove,
    "skip": lambda engine, actor, sid, now: engine.schedule_skip_next(actor, sid, now),
    "post-now": lambda engine, actor, sid, now: engine.schedule_post_now(actor, sid, now),
}

@dataclass
class LessonPlace:
    lesson_id: str
    snippet: int  # next snippet to show; == number of snippets once reading is done
    snippets: int
    question: int  # next question index
    questions: int


class ConsoleSession:
    def __init__(self, engine: Engine, user: str, console: Console, clock: Clock = utc_now,
                 log_path: Path | None = None):
        self.engine, self.console, self.clock, self.log_path = engine, console, clock, log_path
        self.actor = self._actor(user)
        self.place: LessonPlace | None = None
        self.card: QuestionCard | None = None
        self.reviewing = False  # answering due cards: the next one follows each answer
        self.done = False
        self.daily: PostCard | None = None

    @staticmethod
    def _actor(user: str) -> Actor:
        name = clean_name(user)  # the core's rule for names: no control characters, bounded
        # The terminal owner runs the bot, so they are its admin.
        return Actor("console", COMMUNITY_ID, name.casefold()[:USER_ID_MAX], name, is_admin=True, community_name="terminal")

    def say(self, *items) -> None:
        for item in items:
            self.console.print(item)

    async def handle(self, line: str) -> None:
        line = line.rstrip("\r\n")
        if len(line) > LINE_MAX:  # refused before anything parses it (shell-style splitting is slow on huge input)
            self.say(f"[yellow]That line is too long (over {LINE_MAX:,} characters): nothing was done.[/yellow]")
            return
        try:
            await self._dispatch(line.strip())
        except QuizError as err:  # including a change the database could not take (disk full, busy)
            self.say(f"[red]{render.escape(str(err))}[/red]")
        except Exception:  # a bug must not end the learner's session; the log has the traceback
            log.exception("console command failed")
            self.say(render.internal_error(self.log_path))

    async def _dispatch(self, line: str) -> None:
        try:
            words = shlex.split(line)
        except ValueError:
            words = line.split()
        verb = words[0].lower() if words else ""
        args = words[1:]
        if self.card is not None and verb not in COMMANDS:
            return await self._answer(self.card, line)
        if not verb:
            if self.place is not None:
                return await self._advance(self.place)
            return
        handler = COMMANDS.get(verb)
        if handler is None:
            self.say(f"[yellow]Unknown command '{render.escape(verb[:30])}'.[/yellow] Type 'help' for the list.")
            return
        await handler(self, args)

    # Commands ---------------------------------------------------------------------
    async def cmd_help(self, _args) -> None:
        self.say(render.HELP, render.logs_note(self.log_path))

    async def cmd_quit(self, _args) -> None:
        self.done = True
        self.say("Bye — see you tomorrow for your streak!")

    async def cmd_lessons(self, _args) -> None:
        self.say(render.lessons(await self.engine.lessons(self.actor)))

    async def cmd_lesson(self, args) -> None:
        if not args:
            self.say("Which lesson? Give its number or name, e.g. 'lesson 1'.")
            return await self.cmd_lessons(args)
        first = self.engine.snippet(" ".join(args), 0)
        lesson = self.engine.catalog.lesson(first.lesson_id)
        assert lesson is not None, "snippet() has just found this lesson"
        self.place = place = LessonPlace(first.lesson_id, 0, first.total, 0, len(lesson.questions))
        self.card, self.reviewing = None, False
        await self._advance(place)

    async def cmd_next(self, _args) -> None:
        if self.place is None:
            self.say("You're not in a lesson: 'lessons' lists them, 'lesson 1' starts the first.")
            return
        if self.card is not None:
            self.say("Answer the question first (a number or words).")
            return
        await self._advance(self.place)

    async def cmd_practice(self, _args) -> None:
        self.place, self.reviewing = None, False
        self.card = await self.engine.practice(self.actor, self.clock())
        self.say(render.question(self.card))

    async def cmd_review(self, args) -> None:
        """'review' goes through the due cards; 'review remind 18:00|off' sets the reminder notice."""
        if args and args[0].lower() == "remind":
            setting = (await self.engine.set_review_reminder(self.actor, " ".join(args[1:]), self.clock()) if len(args) > 1
                       else await self.engine.review_reminder(self.actor))
            return self.say(reminders.setting(setting))
        self.place, self.card, self.reviewing = None, None, True
        await self._next_review()

    async def cmd_mastery(self, _args) -> None:
        self.say(render.mastery(await self.engine.mastery(self.actor, self.clock())))

    async def cmd_streak(self, _args) -> None:
        self.say(render.streak(await self.engine.streak(self.actor, self.clock())))

    async def cmd_leaderboard(self, args) -> None:
        period = args[0] if args else None
        group = " ".join(args[1:]) or None
        self.say(render.leaderboard(await self.engine.leaderboard(self.actor, self.clock(), period, group)))

    async def cmd_groups(self, _args) -> None:
        self.say(render.groups(await self.engine.groups(self.actor)))

    async def cmd_group(self, args) -> None:
        sub = args[0].lower() if args else ""
        name = " ".join(args[1:])
        now = self.clock()
        if sub == "create" and name:
            self.say(render.group_change(await self.engine.group_create(self.actor, name, now)))
        elif sub == "join" and name:
            self.say(render.group_change(await self.engine.group_join(self.actor, name, now)))
        elif sub == "leave":
            self.say(render.group_change(await self.engine.group_leave(self.actor, now)))
        elif sub in ("board", "leaderboard"):
            self.say(render.leaderboard(await self.engine.group_leaderboard(self.actor, now, args[1] if len(args) > 1 else None)))
        elif sub in ("list", ""):
            await self.cmd_groups(args)
        else:
            self.say("Use: group create <name> | group join <name> | group leave | group board [period] | groups")

    async def cmd_user(self, args) -> None:
        if not args:
            self.say(f"You are {render.escape(self.actor.display_name)}. 'user <name>' switches learner.")
            return
        self.actor, self.place, self.card, self.reviewing = self._actor(" ".join(args)), None, None, False
        self.say(f"Now playing as {render.escape(self.actor.display_name)}.")

    # Daily schedule in the local channel ------------------------------------------
    def receive_post(self, card: PostCard) -> None:
        self.daily = card

    async def cmd_daily(self, args) -> None:
        if self.daily is None:
            self.say("No daily question has been posted here yet ('schedule add 09:00' sets one up).")
            return
        if not args:
            self.say(render.post(self.daily))
            return
        verdict = await self._verdict(self.engine.answer_post(self.actor, self.daily.post_id, " ".join(args), self.clock()))
        if verdict is not None:
            self.say(render.verdict(verdict))

    async def cmd_schedule(self, args) -> None:
        sub = args[0].lower() if args else "list"
        now = self.clock()
        if sub == "list":
            return self.say(render.schedules(await self.engine.schedule_list(self.actor, now)))
        if sub == "add" and len(args) >= 2:
            view = await self.engine.schedule_create(self.actor, schedule_spec(LOCAL_CHANNEL, args[1:]), now)
            return self.say("Scheduled.\n" + render.schedules([view]))
        if sub == "recap" and len(args) == 3:
            view = await self.engine.schedule_set_recap(self.actor, parse_id(args[1], "schedule"), args[2], now)
            return self.say(render.schedules([view]))
        if sub in SCHEDULE_ACTIONS and len(args) == 2:
            schedule_id = parse_id(args[1], "schedule")
            result = await SCHEDULE_ACTIONS[sub](self.engine, self.actor, schedule_id, now)
            return self.say(f"{sub}: {result.status} ({result.local_date})" if hasattr(result, "status")
                            else render.schedules([result]))
        self.say("Use: schedule list | schedule add HH:MM [days] [tz=Zone] [lessons=1,2] [tags=a,b] [shuffle] "
                 "[open=MINUTES] | schedule pause|resume|remove|skip|post-now <id> | schedule recap <id> <day|off>")

    # Lesson flow ---------------------------------------------------------------
    async def _advance(self, place: LessonPlace) -> None:
        if place.snippet < place.snippets:
            self.say(render.snippet(self.engine.snippet(place.lesson_id, place.snippet)))
            place.snippet += 1
        elif place.question < place.questions:
            self.card = await self.engine.lesson_question(self.actor, place.lesson_id, place.question, self.clock())
            place.question += 1
            self.say(render.question(self.card))
        else:
            self.say("[bold]Lesson complete![/bold] 'streak' shows your streak, 'lessons' what's next.")
            self.place = None

    async def _verdict(self, pending: Awaitable[Verdict]) -> Verdict | None:
        """The answer's verdict, or None (and why) when the database could not record it: the question stays open."""
        try:
            return await pending
        except StorageUnavailable as err:
            self.say(render.answer_not_recorded(err.reason))
            return None

    async def _answer(self, card: QuestionCard, text: str) -> None:
        verdict = await self._verdict(self.engine.answer(self.actor, card.delivery_id, text, self.clock()))
        if verdict is None:
            return
        self.card = None
        self.say(render.verdict(verdict))
        if self.place is not None:
            await self._advance(self.place)
        elif self.reviewing:
            await self._next_review()

    async def _next_review(self) -> None:
        """The most overdue due card, one at a time; when none is left, when the next one is due."""
        got = await self.engine.review_next(self.actor, self.clock())
        self.card = got.card
        if got.card is None:
            self.reviewing = False
            self.say(render.review_done(got.status))
        else:
            self.say(render.question(got.card, render.review_head(got)))


COMMANDS = {
    "help": ConsoleSession.cmd_help, "?": ConsoleSession.cmd_help,
    "quit": ConsoleSession.cmd_quit, "exit": ConsoleSession.cmd_quit,
    "lessons": ConsoleSession.cmd_lessons, "lesson": ConsoleSession.cmd_lesson,
    "next": ConsoleSession.cmd_next, "n": ConsoleSession.cmd_next,
    "practice": ConsoleSession.cmd_practice, "quiz": ConsoleSession.cmd_practice,
    "review": ConsoleSession.cmd_review, "mastery": ConsoleSession.cmd_mastery,
    "streak": ConsoleSession.cmd_streak, "leaderboard": ConsoleSession.cmd_leaderboard, "lb": ConsoleSession.cmd_leaderboard,
    "daily": ConsoleSession.cmd_daily, "schedule": ConsoleSession.cmd_schedule,
    "groups": ConsoleSession.cmd_groups, "group": ConsoleSession.cmd_group, "user": ConsoleSession.cmd_user,
}
