"""Question kinds found by `kind`: every core use goes through the registry."""
from __future__ import annotations

import pytest

from bot.content.schema import Choice, FreeTextQuestion, RubricCriterion, SingleChoiceQuestion
from bot.domain.kinds import KINDS, grade, kind_of
from bot.domain.kinds.base import ShownChoice
from bot.errors import BadInput

CHOICE = SingleChoiceQuestion(id="pick", prompt="Which?", explanation="That one.", kind="single_choice",
                              choices=[Choice(id="adam", text="Adam"), Choice(id="sgd", text="Plain SGD", correct=True)])
TYPED = FreeTextQuestion(id="typed", prompt="Why?", explanation="Because.", kind="free_text",
                         accepted=["overfitting"], model_answer="It overfits.")
RUBRIC = FreeTextQuestion(id="why", prompt="Why?", explanation="Because.", kind="free_text",
                          rubric=[RubricCriterion(label="variance", keywords=["variance"])])


def test_every_schema_kind_is_registered_once():
    assert set(KINDS) == {"single_choice", "free_text", "numeric"}
    assert kind_of(CHOICE).schema is SingleChoiceQuestion and kind_of(TYPED).schema is FreeTextQuestion


@pytest.mark.parametrize("raw", ["sgd", "2", "  2 ", "plain sgd"])
def test_a_choice_is_read_from_its_id_number_or_words(raw):
    reading = kind_of(CHOICE).read(CHOICE, raw)
    assert reading.choice_id == "sgd" and reading.text is None and reading.grade.correct


@pytest.mark.parametrize("raw", ["3", "something else"])
def test_an_unreadable_choice_is_bad_input(raw):
    with pytest.raises(BadInput):
        kind_of(CHOICE).read(CHOICE, raw)


def test_typed_text_is_kept_trimmed_and_graded():
    reading = kind_of(TYPED).read(TYPED, "  overfiting ")
    assert reading.choice_id is None and reading.text == "overfiting" and reading.grade.correct
    with pytest.raises(BadInput):
        kind_of(TYPED).read(TYPED, " ")


def test_a_card_shows_numbered_choices_only_for_choice_questions():
    assert kind_of(CHOICE).choices(CHOICE) == (ShownChoice("adam", "1", "Adam", False),
                                              ShownChoice("sgd", "2", "Plain SGD", True))
    assert kind_of(TYPED).choices(TYPED) == ()


def test_right_and_shown_answers():
    assert kind_of(CHOICE).right_answer(CHOICE) == "2. Plain SGD"
    assert kind_of(CHOICE).shown_answer(CHOICE, "adam", None) == "1. Adam"
    assert kind_of(CHOICE).shown_answer(CHOICE, "removed", None) == "removed"  # a choice since taken out
    assert kind_of(TYPED).right_answer(TYPED) == "It overfits."
    assert kind_of(RUBRIC).right_answer(RUBRIC) == "variance"
    assert kind_of(TYPED).shown_answer(TYPED, None, "under") == "under"


def test_only_a_typed_answer_can_be_an_i_dont_know():
    assert kind_of(TYPED).is_non_answer(TYPED, False, "I don't know")
    assert not kind_of(TYPED).is_non_answer(TYPED, False, "underfitting")
    assert not kind_of(CHOICE).is_non_answer(CHOICE, False, None)


def test_grade_dispatches_by_kind():
    assert grade(CHOICE, "sgd").correct and not grade(CHOICE, "adam").correct
    assert grade(TYPED, "overfitting").correct


def test_key_text_for_the_content_lint():
    assert kind_of(CHOICE).key_text(CHOICE) == "Plain SGD"
    assert kind_of(TYPED).key_text(TYPED) == "overfitting It overfits."
