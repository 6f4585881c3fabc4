"""Red-DiscordBot trivia lists: a YAML mapping of each question to the list of answers it accepts.

Two keys are not questions: `AUTHOR` (who wrote the list, kept as the lesson's source note) and
`CONFIG` (Red's game settings such as delay or max_score; our schedules decide timing and scoring,
so they are ignored with a note). Each question becomes a free-text question whose accepted answers
are the list's. The file passes the lesson files' limits (size, depth, no tags, no anchors) and is
read as composed nodes: answers keep the text as written ("yes" stays "yes", "007" stays "007"),
and every question keeps its line.
"""
from __future__ import annotations

import yaml

from bot.content.formats.build import ImportedQuestion, question_id
from bot.content.formats.drafts import FormatRefused, Parsed, accepted_answers, format_importer
from bot.content.formats.text import tidy
from bot.content.limits import LessonRefused, check_events

META_KEYS = ("AUTHOR", "CONFIG")


def _compose(text: str) -> yaml.Node | None:
    try:
        check_events(text, yaml.SafeLoader)
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except LessonRefused as refused:
        raise FormatRefused(refused.message.replace("lesson files", "trivia lists"), refused.line) from refused
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise FormatRefused(f"invalid YAML: {problem}", mark.line + 1 if mark is not None else None) from exc


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _scalar(node: yaml.Node, field: str) -> str:
    if not isinstance(node, yaml.ScalarNode):
        raise FormatRefused("expected text, found a list or mapping", _line(node), field)
    return tidy(node.value)


def parse_red_trivia(text: str) -> Parsed:
    root = _compose(text)
    if not isinstance(root, yaml.MappingNode) or not root.value:
        raise FormatRefused("a trivia list is a mapping of questions to lists of answers", 1)
    parsed = Parsed()
    notes: list[str] = []
    seen: dict[str, int] = {}
    for key_node, value in root.value:
        key = _scalar(key_node, "question")
        line = _line(key_node)
        if key in seen:
            raise FormatRefused(f"the question is listed twice (first at line {seen[key]})", line, f"question '{key[:60]}'")
        seen[key] = line
        if key == "AUTHOR":
            notes.insert(0, f"The list's author: {_scalar(value, 'AUTHOR')}.")
        elif key == "CONFIG":
            if not isinstance(value, yaml.MappingNode):
                raise FormatRefused("expected a mapping of settings", _line(value), "CONFIG")
            names = ", ".join(_scalar(k, "CONFIG") for k, _ in value.value)
            notes.append(f"Its Red game settings ({names or 'none'}) were not imported: schedules set timing and scoring here.")
        else:
            _question(key, value, line, parsed)
    if not parsed.questions and not parsed.skipped:
        raise FormatRefused("the list has no questions", 1)
    parsed.source_note = " ".join(notes) or None
    return parsed


def _question(prompt: str, value: yaml.Node, line: int, parsed: Parsed) -> None:
    field = f"question '{prompt[:60]}'"
    if not isinstance(value, yaml.SequenceNode):
        raise FormatRefused("expected a list of answers under the question", _line(value), field)
    answers = [_scalar(node, field) for node in value.value]
    accepted = accepted_answers(answers, line, parsed)
    if accepted is not None:
        parsed.add(ImportedQuestion(line, {"id": question_id(None, prompt), "kind": "free_text", "prompt": prompt,
                                           "accepted": accepted}, answer=accepted[0]))


RED_TRIVIA = format_importer("red", "Red-DiscordBot trivia list", (".yaml", ".yml"), parse_red_trivia)
