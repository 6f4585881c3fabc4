"""Where lessons come from: the `ContentSource` interface and its sources (lesson YAML files first)."""
from bot.content.sources.base import ContentProblem, ContentSource, SourcedLesson, SourceRead, validate_lesson
from bot.content.sources.yaml_files import YamlSource

__all__ = ["ContentProblem", "ContentSource", "SourceRead", "SourcedLesson", "YamlSource", "validate_lesson"]
