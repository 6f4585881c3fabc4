"""Open Trivia DB API responses (api.php): `{"response_code": 0, "results": [...]}` as questions.

Each result has `type` (multiple or boolean), `difficulty` (easy, medium, hard), `category`,
`question`, `correct_answer` and `incorrect_answers`. By default the API writes HTML entities
(`&quot;`, `&#039;`), which are decoded; with `encode=base64` every string is base64, which is
detected from the `type` field and decoded. A multiple-choice key is not left first: the choices are
shuffled with the question id as the seed, so a re-import gives the same order.
"""
from __future__ import annotations

import base64
import binascii
import html
import json
import random
import string

from bot.content.formats.base import Skipped
from bot.content.formats.build import ImportedQuestion, question_id
from bot.content.formats.drafts import FormatRefused, Parsed, difficulty_of, format_importer
from bot.content.formats.text import tidy

TYPES = ("multiple", "boolean")
RESPONSE_CODES = {1: "no results (the category has fewer questions than asked for)", 2: "invalid parameter",
                  3: "session token not found", 4: "session token has returned every question",
                  5: "rate limited (more than one request in 5 seconds)"}
MAX_CHOICES = 6  # the schema's limit


def _result_lines(text: str) -> list[int]:
    """The line each element of the `results` array starts on (JSON parsers keep no positions)."""
    decoder = json.JSONDecoder()
    at = text.find("[", text.find('"results"'))
    lines: list[int] = []
    while at != -1:
        at += 1
        while at < len(text) and text[at] in " \t\r\n,":
            at += 1
        if at >= len(text) or text[at] == "]":
            break
        lines.append(text.count("\n", 0, at) + 1)
        try:
            at = decoder.raw_decode(text, at)[1]
        except ValueError:
            break  # "results" met inside a string first: the lines are a hint, the data was parsed already
    return lines


def _decoder(results: list[object]) -> tuple[bool, str]:
    """Whether the strings are base64 (the API's encode=base64), judged from the first result's type."""
    first = results[0].get("type") if results and isinstance(results[0], dict) else None
    if isinstance(first, str) and first not in TYPES:
        try:
            if base64.b64decode(first, validate=True).decode() in TYPES:
                return True, "base64 strings"
        except (binascii.Error, UnicodeDecodeError):
            pass
    return False, "HTML entities"


def _text(value: object, b64: bool, line: int, name: str) -> str:
    if not isinstance(value, str):
        raise FormatRefused(f"expected a string, found {type(value).__name__}", line, name)
    if b64:
        try:
            value = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise FormatRefused("not base64 text, although the response is base64-encoded", line, name) from exc
    else:
        value = html.unescape(value)
    return tidy(value)


def _load(text: str) -> list[object]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatRefused(f"invalid JSON: {exc.msg}", exc.lineno, "") from exc
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise FormatRefused("expected an Open Trivia DB response: an object with 'response_code' and a 'results' list",
                            1, "results")
    code = data.get("response_code", 0)
    if code != 0:
        raise FormatRefused(f"the API answered code {code}: {RESPONSE_CODES.get(code, 'unknown code')}", 1, "response_code")
    if not data["results"]:
        raise FormatRefused("the response has no questions", 1, "results")
    results: list[object] = data["results"]
    return results


def parse_opentdb(text: str) -> Parsed:
    results = _load(text)
    lines = _result_lines(text)
    b64, encoding = _decoder(results)
    parsed = Parsed()
    for i, item in enumerate(results):
        line = lines[i] if i < len(lines) else 1
        where = f"results[{i}]"
        if not isinstance(item, dict):
            raise FormatRefused("expected an object with type, question, correct_answer...", line, where)
        fields = {k: _text(item.get(k), b64, line, f"{where}.{k}")
                  for k in ("type", "difficulty", "category", "question", "correct_answer")}
        if fields["type"] not in TYPES:
            parsed.skipped.append(Skipped(line, fields["type"], "only multiple and boolean questions exist in Open Trivia DB"))
            continue
        wrong = item.get("incorrect_answers")
        if not isinstance(wrong, list):
            raise FormatRefused("expected a list of strings", line, f"{where}.incorrect_answers")
        incorrect = [_text(w, b64, line, f"{where}.incorrect_answers[{k}]") for k, w in enumerate(wrong)]
        if fields["category"] not in parsed.categories:
            parsed.categories.append(fields["category"])
        parsed.add(ImportedQuestion(line, _question(fields, incorrect, line, where), answer=fields["correct_answer"]))
    parsed.source_note = f"Open Trivia DB response; its {encoding} were decoded."
    return parsed


def _question(f: dict[str, str], incorrect: list[str], line: int, where: str) -> dict:
    qid = question_id(None, f["question"])
    right = f["correct_answer"]
    if f["type"] == "boolean":
        if right not in ("True", "False") or incorrect not in (["True"], ["False"]) or incorrect == [right]:
            raise FormatRefused("a boolean question's answers are True and False", line, f"{where}.correct_answer")
        texts = [("True", right == "True"), ("False", right == "False")]  # the order every reader expects
    else:
        if not 1 <= len(incorrect) <= MAX_CHOICES - 1:
            raise FormatRefused(f"{len(incorrect)} wrong answers; a question offers 2 to {MAX_CHOICES} choices",
                                line, f"{where}.incorrect_answers")
        texts = [(right, True), *((w, False) for w in incorrect)]
        random.Random(qid).shuffle(texts)  # seeded, not for secrecy: the same file gives the same order
    choices = [{"id": letter, "text": text, "correct": correct}
               for letter, (text, correct) in zip(string.ascii_lowercase, texts, strict=False)]
    return {"id": qid, "kind": "single_choice", "prompt": f["question"], "choices": choices,
            "difficulty": difficulty_of(f["difficulty"], line, f"{where}.difficulty")}


OPENTDB = format_importer("opentdb", "Open Trivia DB JSON", (".json",), parse_opentdb)
