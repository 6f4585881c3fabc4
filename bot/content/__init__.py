"""Lesson content: the schema every file must satisfy and the loader that checks it."""
from bot.content.loader import Catalog, ContentError, ContentProblem, load_catalog, validate_paths

__all__ = ["ContentError", "ContentProblem", "Catalog", "load_catalog", "validate_paths"]
