"""The numeric kind: a number inside a tolerance band or a range is right; just outside is close."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.content.schema import NumericAnswer, NumericQuestion
from bot.domain.kinds import KINDS, grade, kind_of
from bot.errors import BadInput

PI = NumericQuestion(id="pi", kind="numeric", prompt="Pi to two places?", explanation="Because.",
                     answers=[NumericAnswer(value=3.14, tolerance=0.01)])
YEAR_OR_RANGE = NumericQuestion(id="r", kind="numeric", prompt="?", explanation="Because.",
                                answers=[NumericAnswer(value=1822), NumericAnswer(min=1, max=5)])


@pytest.mark.parametrize("text", ["3.14", "3.13", "3.15", "3,14", "about 3.141 radians", "+3.14"])
def test_inside_the_tolerance_is_right(text):
    assert grade(PI, text).correct


@pytest.mark.parametrize("text, close", [("3.16", True), ("3.12", True), ("3.2", False), ("-3.14", False),
                                         ("31.4", False)])
def test_outside_the_tolerance_is_wrong_and_just_outside_is_close(text, close):
    result = grade(PI, text)
    assert not result.correct and result.close is close


def test_binary_floats_do_not_move_the_edge():
    sum_of_tenths = NumericQuestion(id="s", kind="numeric", prompt="?", explanation="Because.",
                                    answers=[NumericAnswer(value=0.3)])
    assert grade(sum_of_tenths, "0.30000000000000004").correct
    assert grade(sum_of_tenths, str(0.1 + 0.2)).correct
    assert not grade(sum_of_tenths, "0.31").correct


def test_any_answer_and_a_range_count():
    assert grade(YEAR_OR_RANGE, "1822").correct
    assert grade(YEAR_OR_RANGE, "1").correct and grade(YEAR_OR_RANGE, "5").correct
    assert not grade(YEAR_OR_RANGE, "1823").correct
    assert grade(YEAR_OR_RANGE, "1,822").correct  # a thousands separator, not a decimal comma


def test_several_numbers_are_right_only_when_each_is():
    assert grade(YEAR_OR_RANGE, "2 or 3").correct
    result = grade(YEAR_OR_RANGE, "3 or 1900")
    assert not result.correct and not result.close


def test_reading_refuses_text_without_a_number_but_takes_a_non_answer():
    with pytest.raises(BadInput):
        KINDS["numeric"].read(PI, "pi")
    with pytest.raises(BadInput):
        KINDS["numeric"].read(PI, "   ")
    reading = KINDS["numeric"].read(PI, "I don't know")
    assert reading.grade.non_answer and reading.choice_id is None


def test_the_card_offers_no_choices_and_shows_the_band():
    kind = kind_of(PI)
    assert kind.choices(PI) == ()
    assert kind.right_answer(PI) == "3.14 (± 0.01)"
    assert kind.right_answer(YEAR_OR_RANGE) == "1822 or 1 to 5"
    assert kind.shown_answer(PI, None, "3.1") == "3.1"


@pytest.mark.parametrize("answer", [{}, {"value": 1, "min": 0, "max": 2}, {"min": 3, "max": 1}, {"min": 1},
                                    {"min": 1, "max": 2, "tolerance": 1}, {"value": 1, "tolerance": -1},
                                    {"value": float("nan")}])
def test_an_answer_is_a_value_or_a_range(answer):
    with pytest.raises(ValidationError):
        NumericAnswer.model_validate(answer)
