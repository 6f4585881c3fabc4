"""Database tables, by area. Uniqueness that matters is a constraint here, never an `if` in Python.
Every table is imported here, so `SQLModel.metadata` knows them all once `bot.models` is imported."""
from bot.models.boards import BoardHistogram, LearnerPeriod
from bot.models.columns import BOARD_ORDER, UTCDateTime, counter, fk, row_id, table_of, utc_column
from bot.models.curation import RetiredQuestion
from bot.models.learning import Answer, Community, Delivery, GroupMembership, Learner, LearnerStats, ScoredQuestion, StudyGroup
from bot.models.posting import BotState, Post, Schedule, ScheduleQuestion
from bot.models.recaps import Recap
from bot.models.reminders import ReminderSend, ReviewReminder
from bot.models.review import MemoryCard, ReviewSlot

__all__ = [
    "LearnerPeriod", "BoardHistogram", "BOARD_ORDER", "UTCDateTime", "counter", "fk",
    "row_id", "table_of", "utc_column", "Community", "Learner", "StudyGroup",
    "GroupMembership", "Delivery", "Answer", "ScoredQuestion", "LearnerStats", "Schedule",
    "Post", "ScheduleQuestion", "BotState", "RetiredQuestion", "MemoryCard", "ReviewSlot", "ReviewReminder",
    "ReminderSend", "Recap",
]
