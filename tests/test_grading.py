"""Table tests for grading (bot.domain.kinds and bot.domain.grading); questions are built from the schema classes, not from files."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.content.schema import Choice, FreeTextQuestion, RubricCriterion, SingleChoiceQuestion
from bot.domain.grading.answer_text import normalise
from bot.domain.grading.grades import MAX_ANSWER_CHARS, Grade, UnknownChoice
from bot.domain.kinds import grade
from bot.domain.kinds.free_text import grade_free_text
from bot.domain.kinds.single_choice import grade_choice, match_choice_text
from bot.errors import BadInput


def free_text(**fields) -> FreeTextQuestion:
    return FreeTextQuestion(id="q1", prompt="Why?", explanation="Because.", kind="free_text", **fields)


def single_choice(*choices: tuple[str, str, bool]) -> SingleChoiceQuestion:
    return SingleChoiceQuestion(
        id="q2",
        prompt="Which?",
        explanation="That one.",
        kind="single_choice",
        choices=[Choice(id=cid, text=text, correct=ok) for cid, text, ok in choices],
    )


KL = free_text(accepted=["KL divergence", "Kullback-Leibler divergence"])
RANGE = free_text(accepted=["5 to 20"])
TWENTY_FIVE = free_text(accepted=["twenty-five"])
LR = free_text(accepted=["learning rate 0.001"])
REVERSE = free_text(accepted=["reverse KL divergence"])
SHORT = free_text(accepted=["KL"])
SOFT = free_text(accepted=["soft target probabilities"])
RUBRIC = free_text(
    rubric=[
        RubricCriterion(label="teacher", keywords=["teacher model", "larger model"]),
        RubricCriterion(label="soft targets", keywords=["soft targets", "soft labels", "logits"]),
        RubricCriterion(label="reference", keywords=["reference", "ref"]),
    ],
    min_criteria=2,
)
MODELS = single_choice(("a", "The teacher model", True), ("b", "The student model", False), ("c", "A dataset", False))


# --- normalise ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("KL Divergence", "kl divergence"),
        ("  kl \t\n divergence  ", "kl divergence"),
        ("Café, déjà vu!", "cafe deja vu"),
        ("Kullback–Leibler", "kullback leibler"),
        ("It's the KL-divergence.", "its the kl divergence"),  # apostrophes are elided, not split
        ("0.5", "0.5"),
        ("T = 0.5.", "t 0.5"),
        ("5-20", "5 to 20"),
        ("5–20", "5 to 20"),
        ("five to twenty", "5 to 20"),
        ("twenty-five", "25"),
        ("Twenty Five", "25"),
        ("one hundred", "100"),
        ("one hundred and five", "105"),
        ("two thousand and twelve", "2012"),
        ("nine thousand nine hundred ninety-nine", "9999"),
        ("twelve hundred", "1200"),
        ("zero", "0"),
        ("one two three", "1 2 3"),
        ("1,000", "1000"),
        ("1,2,3", "1 2 3"),
        ("rock and roll", "rock and roll"),
        ("ﬁne ½", "fine 1 2"),
        ("", ""),
        (" \t\n", ""),
        ("?!…", ""),
    ],
)
def test_normalise(text, expected):
    assert normalise(text) == expected


# Arbitrary text, plus text built from the pieces the rules act on (plain st.text() rarely spells "twenty").
PIECES = st.sampled_from([*"0123456789.,-–  abc!", "one", "twenty", "hundred", "thousand", "and", "zero", "İ", "ß", "é"])


@settings(max_examples=500)
@given(st.text() | st.lists(PIECES, max_size=30).map("".join))
def test_normalise_is_idempotent(text):
    once = normalise(text)
    assert normalise(once) == once


# --- accepted aliases --------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("question", "answer", "correct", "close"),
    [
        # exact, and case / accent / punctuation / whitespace variations
        (KL, "KL divergence", True, False),
        (KL, "kl DIVERGENCE", True, False),
        (KL, "  kl   divergence!! ", True, False),
        (KL, "kl-divergence", True, False),
        (KL, "Kullback–Leibler divergence", True, False),
        (KL, "kullback leibler divérgence", True, False),
        (KL, "it is the KL divergence", True, False),
        # typos within the threshold
        (KL, "kl divergance", True, False),
        (KL, "kl diverjence", True, False),
        (KL, "i think kl divrgence", True, False),
        # close but wrong, and clearly wrong
        (KL, "kl diffrence", False, True),
        (KL, "cross entropy", False, False),
        (KL, "mean squared error", False, False),
        # number words
        (RANGE, "five to twenty", True, False),
        (RANGE, "5-20", True, False),
        (RANGE, "from 5 to 20 steps", True, False),
        (RANGE, "5 to 30", False, False),  # numbers never match fuzzily
        (LR, "learning rate 0.01", False, False),
        (LR, "lerning rate 0.001", True, False),
        (TWENTY_FIVE, "25", True, False),
        (TWENTY_FIVE, "twenty five", True, False),
        (TWENTY_FIVE, "26", False, False),
        # the short-alias guard: whole words only, no fuzzy
        (SHORT, "kl", True, False),
        (SHORT, "it's KL", True, False),
        (SHORT, "ok", False, False),
        (SHORT, "klaxon", False, False),
        (SHORT, "lk", False, False),
        # a fragment of a long alias is not the alias
        (SOFT, "the soft target probabilities of the teacher", True, False),
        (SOFT, "soft target probability", True, False),
        (SOFT, "soft targets", False, False),
        (SOFT, "hard labels", False, False),
        (REVERSE, "the kl divergence", False, True),  # close (79); token_set_ratio would give 87 and accept
        (REVERSE, "it is reverse kl", False, False),
        (REVERSE, "i'd say the revers kl divergence", True, False),
    ],
)
def test_accepted_aliases(question, answer, correct, close):
    result = grade_free_text(question, answer)
    assert (result.correct, result.close) == (correct, close)
    if correct:
        assert len(result.matched) == 1 and result.matched[0] in question.accepted
        assert result.similarity >= question.threshold


@pytest.mark.parametrize("answer", ["", "   ", "\n\t", "?!.", "-"])
def test_empty_answer_is_never_correct(answer):
    for question in (KL, SHORT, RUBRIC):
        assert grade_free_text(question, answer) == Grade(False, False, (), 0.0, non_answer=True)


def test_threshold_is_the_questions():
    strict = free_text(accepted=["KL divergence"], threshold=100)
    assert not grade_free_text(strict, "kl divergance").correct
    assert grade_free_text(strict, "kl divergance").close
    assert grade_free_text(strict, "KL-Divergence").correct


@pytest.mark.parametrize(
    ("answer", "correct"),
    [
        ("kl divergence" + " filler" * 300, True),
        ("filler " * 300 + "kl divergence", False),  # past the first 2000 characters, unseen
    ],
)
def test_long_answers_are_truncated(answer, correct):
    assert len(answer) > MAX_ANSWER_CHARS
    assert grade_free_text(KL, answer).correct is correct


# --- rubric ------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("answer", "matched", "correct", "close"),
    [
        ("a larger model gives soft targets", ("teacher", "soft targets"), True, False),
        ("the teacher model produces logits", ("teacher", "soft targets"), True, False),
        # multi-word keywords with typos, and a single-word typo
        ("the teachr modle gives sof targets", ("teacher", "soft targets"), True, False),
        ("compare to the referense using soft labels", ("soft targets", "reference"), True, False),
        # words of a multi-word keyword must be contiguous
        ("the teacher is a big model", (), False, False),
        # one criterion of the two needed: close
        ("just the logits", ("soft targets",), False, True),
        ("the larger model", ("teacher",), False, True),
        # short keywords match only as whole words, never fuzzily
        ("see the ref", ("reference",), False, True),
        ("red reef", (), False, False),
        ("nothing relevant here", (), False, False),
    ],
)
def test_rubric(answer, matched, correct, close):
    result = grade_free_text(RUBRIC, answer)
    assert (result.matched, result.correct, result.close) == (matched, correct, close)


def test_rubric_min_criteria_one():
    question = free_text(rubric=[RubricCriterion(label="teacher", keywords=["teacher"])])
    assert grade_free_text(question, "The Teacher!").correct
    assert grade_free_text(question, "the techer").correct
    assert not grade_free_text(question, "the student").correct


def test_alias_or_rubric_either_is_enough():
    question = free_text(
        accepted=["distillation"],
        rubric=[RubricCriterion(label="compress", keywords=["compress"])],
    )
    assert grade_free_text(question, "distilation").matched == ("distillation",)
    assert grade_free_text(question, "we compress it").matched == ("compress",)
    assert not grade_free_text(question, "pruning").correct


# --- single choice -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("choice_id", "expected"),
    [
        ("a", Grade(True, False, ("a",), 100.0)),
        ("b", Grade(False, False, (), 0.0)),
        ("c", Grade(False, False, (), 0.0)),
    ],
)
def test_grade_choice(choice_id, expected):
    assert grade_choice(MODELS, choice_id) == expected
    assert grade(MODELS, choice_id) == expected


@pytest.mark.parametrize("choice_id", ["d", "A", "", "The teacher model"])
def test_unknown_choice_raises(choice_id):
    with pytest.raises(UnknownChoice) as err:
        grade(MODELS, choice_id)
    assert isinstance(err.value, ValueError) and isinstance(err.value, BadInput)


def test_grade_dispatches_free_text():
    assert grade(KL, "kl divergence").correct


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The teacher model", "a"),
        ("the TEACHER model.", "a"),
        ("teacher model", "a"),
        ("the teacher modle", "a"),
        ("student", "b"),
        ("a dataset", "c"),
        ("dataset", "c"),
        # ambiguous, unrelated, too short or empty: no guess
        ("the model", None),
        ("model", None),
        ("a", None),
        ("the", None),
        ("a neural network", None),
        ("", None),
        ("  ", None),
    ],
)
def test_match_choice_text(text, expected):
    assert match_choice_text(MODELS, text) == expected


def test_match_choice_text_identical_choices_is_ambiguous():
    question = single_choice(("a", "Yes", True), ("b", "yes!", False))
    assert match_choice_text(question, "yes") is None
