"""Slack requests → engine calls → Block Kit, as bolt listeners: module-level functions in one module
per area, attached to the app by `register` the way bolt's examples do (`app.action(...)(listener)`).

- posts: the daily question's buttons and its free-text answer modal;
- study: /quiz and the study modal (lessons, practice);
- home: the App Home tab and its buttons;
- schedules: admins' schedule buttons and modal;
- items: admins' Retire / Bring back buttons in the App Home's Questions to review;
- lifecycle: uninstall and token revocation;
- stale: whatever no other listener takes (registered last: bolt tries listeners in order).

Every listener acks first (or, for a modal submit that can show field errors, within a time budget
well under Slack's 3 seconds) and does the rest after; the engine decides everything, these
listeners only translate and render.

The per-app objects (engine, sender, admin directory, clock) reach a listener through bolt's own
channel: a global middleware puts the `Front` into each request's context, and bolt passes every
context key to a listener that names it as a parameter, just like `ack` or `client`. So a listener
declares `front: Front` in its signature, needs no closure over the app it was registered on, and a
test or a second app can build its own `Front`. (bolt has no other per-app value a listener can ask
for: a module global would tie every app in a process to one engine.)
"""
from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from adapters.slack import item_blocks
from adapters.slack import modals as md
from adapters.slack.listeners import home, items, lifecycle, posts, schedules, stale, study
from adapters.slack.listeners.front import Front
from adapters.slack.listeners.middleware import Middleware


def register(app: AsyncApp, front: Front) -> None:
    """Attach the middleware and every listener to the bolt app."""
    middleware = Middleware(front)
    app.middleware(middleware.skip_retried_events)
    app.middleware(middleware.provide_front)

    app.command("/quiz")(study.quiz)

    app.action(posts.CHOICE)(posts.post_choice)
    app.action(posts.TEXT)(posts.post_text)
    app.view(md.POST_ANSWER)(posts.post_answer)

    app.action(study.START)(study.study_start)
    app.action("study_next")(study.study_next)
    app.action(study.ANSWER)(study.study_answer)
    app.view(md.STUDY)(study.study_submit)

    app.event("app_home_opened")(home.home_opened)
    app.action("home_lessons")(home.home_lessons)
    app.action("home_practice")(home.home_practice)
    app.action("home_review")(home.home_review)

    app.action("sched_add")(schedules.sched_add)
    app.action(schedules.BUTTON)(schedules.sched_button)
    app.view(md.SCHEDULE)(schedules.sched_submit)
    app.action(item_blocks.RETIRE)(items.item_button)

    app.event("app_uninstalled")(lifecycle.uninstalled)
    app.event("tokens_revoked")(lifecycle.revoked)

    app.action(stale.ANYTHING)(stale.stale_action)  # last: it takes whatever no listener above did
    app.view(stale.ANYTHING)(stale.stale_view)
