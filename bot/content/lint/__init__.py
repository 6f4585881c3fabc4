"""`quizbot content lint`: item-writing checks on lesson content, each with a stable code and severity."""
from bot.content.lint.rules import RULES, Finding, Rule
from bot.content.lint.runner import LintReport, lint_lessons, lint_paths

__all__ = ["RULES", "Finding", "LintReport", "Rule", "lint_lessons", "lint_paths"]
