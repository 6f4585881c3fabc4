"""Core of the quiz bot: content, grading, storage and the engine. Imports no front door."""
