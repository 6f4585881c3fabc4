"""Lesson content: the schema every lesson satisfies, its sources, and the catalog they are assembled into."""
from bot.content.loader import Catalog, ContentError, load_catalog, load_sources, validate_paths, validate_sources
from bot.content.sources import ContentProblem, ContentSource, YamlSource

__all__ = ["Catalog", "ContentError", "ContentProblem", "ContentSource", "YamlSource", "load_catalog", "load_sources",
           "validate_paths", "validate_sources"]
