"""The lesson file schema. Unknown keys are refused so a typo never silently drops a field."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from bot.domain.grading.answer_text import catch_all_reason

SNIPPET_BODY_MAX = 1200  # one chat message (Discord's embed description and Slack's section both fit it)

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Snippet(Strict):
    title: Text
    body: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=SNIPPET_BODY_MAX)]


class Choice(Strict):
    id: Slug
    text: Text
    correct: bool = False


class LintWaiver(Strict):
    """Silences one `quizbot content lint` check for one question; the reason is what a reviewer reads."""

    code: Text
    reason: Text


class QuestionBase(Strict):
    id: Slug
    prompt: Text
    explanation: Text
    difficulty: Literal[1, 2, 3] = 1
    tags: list[Slug] = Field(default_factory=list)
    source: Text | None = None  # the citation a fact in the key rests on: authors (year), title
    lint_waivers: list[LintWaiver] = Field(default_factory=list)


class SingleChoiceQuestion(QuestionBase):
    kind: Literal["single_choice"]
    choices: list[Choice] = Field(min_length=2, max_length=6)

    @model_validator(mode="after")
    def _one_correct_and_unique_ids(self) -> SingleChoiceQuestion:
        correct = [c.id for c in self.choices if c.correct]
        if len(correct) != 1:
            raise ValueError(f"exactly one choice must be correct, found {len(correct)}")
        ids = [c.id for c in self.choices]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"choice ids must be unique, repeated: {', '.join(dupes)}")
        return self


class RubricCriterion(Strict):
    """One acceptable idea; it is met when the answer contains any of its keywords."""

    label: Text
    keywords: list[Text] = Field(min_length=1)


class FreeTextQuestion(QuestionBase):
    kind: Literal["free_text"]
    accepted: list[Text] = Field(default_factory=list)
    rubric: list[RubricCriterion] = Field(default_factory=list)
    min_criteria: int = Field(default=1, ge=1)
    threshold: int = Field(default=85, ge=50, le=100)
    model_answer: Text | None = None

    @model_validator(mode="after")
    def _gradable(self) -> FreeTextQuestion:
        if not self.accepted and not self.rubric:
            raise ValueError("free_text needs 'accepted' answers and/or a 'rubric'")
        if self.rubric and self.min_criteria > len(self.rubric):
            raise ValueError(f"min_criteria {self.min_criteria} exceeds the {len(self.rubric)} rubric criteria")
        return self

    @model_validator(mode="after")
    def _no_catch_all_terms(self) -> FreeTextQuestion:
        """An alias such as "T", "the" or "idk" would accept answers that say nothing right."""
        terms = [("accepted answer", a) for a in self.accepted]
        terms += [("rubric keyword", k) for c in self.rubric for k in c.keywords]
        problems = [f"{what} {term!r} {why}" for what, term in terms if (why := catch_all_reason(term))]
        if problems:
            raise ValueError(f"question '{self.id}': " + "; ".join(problems))
        return self

    @property
    def display_answer(self) -> str:
        if self.model_answer:
            return self.model_answer
        if self.accepted:
            return self.accepted[0]
        return "; ".join(c.label for c in self.rubric)


class NumericAnswer(Strict):
    """A right number: `value` give or take `tolerance`, or anything from `min` to `max`."""

    value: float | None = Field(default=None, allow_inf_nan=False)
    tolerance: float = Field(default=0, ge=0, allow_inf_nan=False)
    min: float | None = Field(default=None, allow_inf_nan=False)
    max: float | None = Field(default=None, allow_inf_nan=False)

    @model_validator(mode="after")
    def _one_form(self) -> NumericAnswer:
        if self.value is not None:
            if self.min is not None or self.max is not None:
                raise ValueError("give either value (with tolerance) or min and max, not both")
        elif self.min is None or self.max is None:
            raise ValueError("give value (with tolerance), or both min and max")
        elif self.tolerance:
            raise ValueError("tolerance goes with value; a range from min to max has none")
        elif self.min > self.max:
            raise ValueError(f"min {self.min:g} is above max {self.max:g}")
        return self

    @property
    def bounds(self) -> tuple[float, float]:
        """The lowest and highest right number."""
        if self.value is not None:
            return self.value - self.tolerance, self.value + self.tolerance
        return (self.min or 0.0), (self.max or 0.0)  # both set: _one_form refused anything else


class NumericQuestion(QuestionBase):
    """The learner types a number; any of `answers` is right (Moodle's numerical question)."""

    kind: Literal["numeric"]
    answers: list[NumericAnswer] = Field(min_length=1, max_length=10)


Question = Annotated[SingleChoiceQuestion | FreeTextQuestion | NumericQuestion, Field(discriminator="kind")]


class Lesson(Strict):
    id: Slug
    title: Text
    summary: Text
    order: int = Field(ge=0)
    minutes: int | None = Field(default=None, ge=1, le=120)
    tags: list[Slug] = Field(default_factory=list)
    snippets: list[Snippet] = Field(min_length=1)
    questions: list[Question] = Field(min_length=1)
