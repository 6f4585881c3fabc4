"""The free-text grader's rules, one group each: non-answers, negation, apostrophes, numbers with units
and forms, typos that are not opposites, and lists of guesses. Questions are built from the schema."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.content.schema import FreeTextQuestion, RubricCriterion
from bot.domain.grading.answer_text import normalise
from bot.domain.kinds.free_text import grade_free_text, is_non_answer


def free_text(**fields) -> FreeTextQuestion:
    return FreeTextQuestion(id="q1", prompt="Which?", explanation="Because.", kind="free_text", **fields)


TEMPERATURE = free_text(accepted=["temperature", "softmax temperature", "temp"])
FORGETTING = free_text(accepted=["catastrophic forgetting"],
                       rubric=[RubricCriterion(label="forgets", keywords=["forgets", "forgotten", "no longer remembers"])])
MONTHS = free_text(accepted=["3", "3 months", "after 3 months"], threshold=95)
FACTOR = free_text(accepted=["4", "4x", "by 4"], threshold=90)
AGREEMENT = free_text(accepted=["agreement rate", "fidelity"])
RISK = free_text(rubric=[RubricCriterion(label="bias", keywords=["bias", "biased", "biases"]),
                         RubricCriterion(label="terms", keywords=["terms of use", "licence"])])


def verdict(question: FreeTextQuestion, answer: str) -> tuple[bool, bool]:
    grade = grade_free_text(question, answer)
    return grade.correct, grade.non_answer


# --- non-answers are never right, and say so ------------------------------------------------------

NON_ANSWERS = ["I don't know", "I can't remember", "idk", "no idea", "not sure", "?", "pass", "dunno", "no clue",
               "skip", "can't remember", "I forget", "i dont remember sorry", "...", "¯\\_(ツ)_/¯", "hmm idk",
               "Not sure, sorry!"]


@pytest.mark.parametrize("answer", NON_ANSWERS)
@pytest.mark.parametrize("question", [TEMPERATURE, FORGETTING, MONTHS], ids=["alias", "rubric", "number"])
def test_a_non_answer_is_never_right_and_is_flagged(question, answer):
    grade = grade_free_text(question, answer)
    assert (grade.correct, grade.non_answer, grade.close) == (False, True, False)
    assert is_non_answer(question, answer)


@pytest.mark.parametrize(("answer", "correct"), [
    ("idk, maybe temperature?", True),  # a hedge around a right answer is still a right answer
    ("not sure but I think it's temperature", True),
    ("I can't remember, alpha?", False),
])
def test_a_hedge_around_an_answer_is_graded_on_the_answer(answer, correct):
    grade = grade_free_text(TEMPERATURE, answer)
    assert grade.correct is correct
    assert grade.non_answer is (not correct)  # a wrong guess after "I can't remember" is still answered kindly
    assert is_non_answer(TEMPERATURE, answer) is grade.non_answer


@pytest.mark.parametrize("answer", ["temperature", "alpha", "not temperature", "no", "I know it"])
def test_the_quick_non_answer_check_agrees_with_the_grade(answer):
    assert is_non_answer(TEMPERATURE, answer) is grade_free_text(TEMPERATURE, answer).non_answer


# --- negation: "not X" is not X --------------------------------------------------------------------

@pytest.mark.parametrize("answer", [
    "not temperature", "not temperature but alpha", "it isn't temperature, it's alpha",
    "temperature is wrong, it's the learning rate", "never the temperature", "definitely not the temperature",
    "no temperature", "temperature is not the answer",
])
def test_a_negated_term_is_not_the_term(answer):
    assert verdict(TEMPERATURE, answer) == (False, False)


@pytest.mark.parametrize("answer", ["there is no bias", "bias is not a risk", "no risk of bias", "it removes bias",
                                    "less biased than the teacher", "no need to check the terms of use"])
def test_a_negated_keyword_meets_no_criterion(answer):
    assert grade_free_text(RISK, answer).matched == ()


@pytest.mark.parametrize("answer", ["removed duplicates", "use a fixed confidence threshold", "drop exact duplicates"])
def test_describing_a_filter_is_not_a_negation(answer):
    question = free_text(rubric=[RubricCriterion(label="filter", keywords=["duplicates", "confidence"])])
    assert grade_free_text(question, answer).correct


@pytest.mark.parametrize("answer", ["not alpha but temperature", "it isn't alpha, it's temperature",
                                    "alpha? no, temperature"])
def test_the_right_term_after_a_negated_wrong_one_counts(answer):
    assert verdict(TEMPERATURE, answer) == (True, False)


@pytest.mark.parametrize("answer", ["not because of bias", "not due to the licence", "synthetic data instead of bias",
                                    "speed rather than bias", "not one bias but several", "not 2 biases"])
def test_because_instead_rather_and_a_count_do_not_hide_a_negation(answer):
    assert not ({"bias", "terms"} & set(grade_free_text(RISK, answer).matched))


@pytest.mark.parametrize("answer", ["because of bias", "bias instead of speed", "bias rather than speed"])
def test_the_preferred_side_of_instead_and_rather_counts(answer):
    assert "bias" in grade_free_text(RISK, answer).matched


# --- apostrophes are elided, not split ---------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("don't", "dont"), ("I can’t remember", "i cant remember"), ("the teacher's outputs", "the teachers outputs"),
    ("'quoted'", "quoted"),
])
def test_apostrophes_are_elided(text, expected):
    assert normalise(text) == expected


def test_a_possessive_still_matches_the_word():
    assert grade_free_text(RISK, "it copies the teacher's biases").matched == ("bias",)


# --- numbers carry their units and their forms --------------------------------------------------------

@pytest.mark.parametrize(("answer", "correct"), [
    ("3", True), ("3.0", True), ("three", True), ("3mo", True), ("3 mths", True), ("three months", True),
    ("3 months.", True), ("27,000 / 9,000 = 3", True), ("3 monts", True),
    ("3 years", False), ("3 weeks", False), ("3%", False), ("$3", False), ("30", False), ("1/3", False),
    ("3 years, not 3 months", False), ("3 months is wrong, it's 4", False),
])
def test_a_number_needs_its_unit(answer, correct):
    assert grade_free_text(MONTHS, answer).correct is correct


@pytest.mark.parametrize(("answer", "correct"), [
    ("4", True), ("4.0", True), ("4x", True), ("x4", True), ("4 times", True), ("four times", True),
    ("fourfold", True), ("4-fold", True), ("a factor of four", True), ("75% smaller", True),
    ("a quarter of the size", True), ("25% of the size", True), ("1/4 the size", True), ("reduces memory by 75%", True),
    ("4 bits", False), ("4 bytes", False), ("4 GB", False), ("25% smaller", False), ("8x", False), ("4x bigger", False),
])
def test_a_factor_in_any_form(answer, correct):
    assert grade_free_text(FACTOR, answer).correct is correct


@pytest.mark.parametrize("forms", [
    ("4x", "4 times", "four times", "fourfold", "x4", "4 x", "a factor of 4"),
    ("4x smaller", "75% smaller", "75 percent smaller", "4 times smaller"),
    ("4x of the size", "25% of the size", "a quarter of the size", "1/4 of the size", "one quarter of the size"),
    ("3", "3.0", "three", "3.00"),
    ("3 month", "3 months", "3mo", "3 mths", "three months"),
])
def test_equal_quantities_have_one_spelling(forms):
    assert len({normalise(f) for f in forms}) == 1, {f: normalise(f) for f in forms}


# --- keywords match as whole words; a typo is never the opposite word --------------------------------------

@pytest.mark.parametrize(("answer", "correct"), [
    ("agreement rate", True), ("agreemnt rate", True), ("fidelty", True),
    ("disagreement rate", False), ("disagreement", False), ("infidelity", False),
])
def test_a_typo_is_forgiven_but_an_opposite_is_not(answer, correct):
    assert grade_free_text(AGREEMENT, answer).correct is correct


def test_an_opposite_word_meets_no_criterion():
    assert grade_free_text(RISK, "the student is unbiased").matched == ()


# --- a term question answered with a list of guesses -----------------------------------------------------

@pytest.mark.parametrize("answer", [
    "temperature or alpha", "temperature, alpha, beta, lambda", "alpha / temperature / learning rate",
    "temperature alpha beta lambda", "T squared", "inverse temperature",
])
def test_guesses_around_the_right_term_are_not_right(answer):
    assert grade_free_text(TEMPERATURE, answer).correct is False


@pytest.mark.parametrize("answer", ["3 or 4", "3, 4 or 5", "1 2 3 4 5 6", "2-4 months"])
def test_several_numbers_are_not_one_answer(answer):
    assert grade_free_text(MONTHS, answer).correct is False


@pytest.mark.parametrize("answer", [
    "temperature or temp", "temperature, obviously", "temperature, usually set to 2-10",
    "temperature (you divide the logits by it)", "TEMPERATURE (logits/T)", "softmax temperature hyperparameter",
])
def test_a_right_term_with_an_aside_is_right(answer):
    assert grade_free_text(TEMPERATURE, answer).correct is True


def test_a_name_one_question_may_list_several_right_ideas():
    assert grade_free_text(RISK, "bias, licence, terms of use").correct is True


# Text built from the pieces the quantity rules act on, where plain st.text() would rarely land.
QUANTITY_PIECES = st.sampled_from([*"0123456789.,-/%$x ", " ", "four", "fold", "fourfold", "times", "factor", "of", "a",
                                   "quarter", "half", "third", "the", "size", "to", "by", "smaller", "reduces", "k",
                                   "months", "mo", "percent", "don't", "’", "idk"])


@settings(max_examples=1000)
@given(st.lists(QUANTITY_PIECES, max_size=25).map("".join) | st.lists(QUANTITY_PIECES, max_size=12).map(" ".join))
def test_normalising_quantities_is_idempotent(text):
    once = normalise(text)
    assert normalise(once) == once
