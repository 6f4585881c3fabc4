"""Does a question state a published fact without its `source`? Heuristics over its text and tags.

An explanation that names a paper, an author or a year is citing something, so a missing `source`
is an error. A model name, a figure such as "97%" or "5-20x" (unless the prompt gives the numbers:
then it is arithmetic), research wording or a tag for a published result only suggest one: a warning.
"""
from __future__ import annotations

import re

from bot.content.schema import Question
from bot.domain.kinds import kind_of

_YEAR = r"(?:19[5-9]\d|20[0-4]\d)"
_NOT_AN_AUTHOR = {"In", "Since", "By", "From", "Until", "Before", "After", "Around", "Of", "The", "About", "Circa"}
KNOWN_AUTHORS = (
    "Hinton", "Vinyals", "Sanh", "Bucilu", "Caruana", "Romero", "Jiao", "Furlanello", "Mirzadeh", "Agarwal",
    "Stanton", "Shumailov", "Gudibande", "Hsieh", "Mukherjee", "Zagoruyko", "Komodakis", "Micaelli",
    "Lopez-Paz", "Dettmers", "Frantar", "Touvron", "Taori", "Chiang", "Müller", "Yim", "Tian",
)
_CITATIONS = [
    re.compile(r"\bet\s+al\b"),
    re.compile(rf"\([^()]*\b{_YEAR}[a-z]?\)"),  # (2015), (Hinton et al., 2015)
    re.compile(rf"\b(?:in|since)\s+{_YEAR}\b(?!\s*[%x×]|\s+[a-z]+s\b)"),  # "in 2015", not "in 2000 calls"
    re.compile(r"\b(?:the|this|that|their|original|seminal)\s+paper\b|\bpaper\s+(?:by|titled)\b", re.IGNORECASE),
    re.compile(r"\b(?:arXiv|NeurIPS|NIPS|ICLR|ICML|ACL|EMNLP|NAACL|CVPR|ICCV|ECCV|AAAI|KDD)\b"),
    re.compile(r"\b(?:" + "|".join(map(re.escape, KNOWN_AUTHORS)) + r")\w*\b"),
]
# Hinton 2015, Kim and Rush (2016), Sanh et al. (2019)
_NAME_YEAR = re.compile(rf"\b([A-Z][a-z]+)(?:\s+(?:and|&)\s+[A-Z][a-z]+)?(?:\s+et\s+al\.?)?,?\s+\(?{_YEAR}\)?")
_MODEL_NAMES = (
    "DistilBERT", "TinyBERT", "MobileBERT", r"MiniLM(?:v2)?", "MiniLLM", "BERT", "RoBERTa", r"DistilGPT-?2",
    r"GPT-?\d(?:\.\d)?", "GPT", "LLaMA", "Llama", "Alpaca", "Vicuna", "Orca", "Koala", "Gemma", "Mistral", "PaLM",
    "T5", r"FitNets?", "GKD", "TAKD", r"ResNet-?\d*", "ImageNet", r"CIFAR-?\d*", "GLUE", "SQuAD", "MMLU",
)
MODEL_NAMES = re.compile(r"\b(?:" + "|".join(_MODEL_NAMES) + r")\b")
_MODEL_TAG = re.compile("|".join(_MODEL_NAMES), re.IGNORECASE)  # tags are slugs: "distilbert"
_FIGURE = re.compile(r"\d+(?:\.\d+)?\s*%|\b\d+(?:\.\d+)?(?:\s*(?:-|to)\s*\d+(?:\.\d+)?)?\s*[x×](?![a-z])")
_RESEARCH_WORDS = re.compile(r"\b(?:published|researchers|study|studies|showed that|found that|"
                             r"state of the art|state-of-the-art)\b", re.IGNORECASE)
FACT_TAGS = frozenset({"paper", "papers", "published", "published-result", "research", "literature", "study",
                       "benchmark", "citation", "result", "results", "sourced"})


def citations_in(text: str) -> list[str]:
    """The words by which `text` cites a paper, an author or a year ("et al", "(2015)", "Hinton")."""
    found = [m.group(0) for pattern in _CITATIONS for m in pattern.finditer(text)]
    found += [m.group(0) for m in _NAME_YEAR.finditer(text) if m.group(1) not in _NOT_AN_AUTHOR]
    return _widest(found)


def _widest(found: list[str]) -> list[str]:
    """Each distinct match once, without those inside a longer one ("et al" in "Sanh et al. (2019)")."""
    unique = list(dict.fromkeys(found))
    return [f for f in unique if not any(f != other and f in other for other in unique)]


def answer_text(q: Question) -> str:
    """What the question holds up as right: the key, or the accepted answers and model answer."""
    return kind_of(q).key_text(q)


def fact_signals(q: Question) -> list[str]:
    """Why a question looks like it rests on a published result (empty when it does not)."""
    stated = f"{q.prompt}\n{answer_text(q)}\n{q.explanation}"
    found = citations_in(f"{q.prompt}\n{answer_text(q)}")
    found += [m.group(0) for m in MODEL_NAMES.finditer(stated)]
    if not re.search(r"\d", q.prompt):  # numbers given in the prompt make a worked example, not a cited figure
        found += [m.group(0).strip() for m in _FIGURE.finditer(f"{answer_text(q)}\n{q.explanation}")]
    found += [m.group(0) for m in _RESEARCH_WORDS.finditer(stated)]
    found += [f"tag {t}" for t in q.tags if t in FACT_TAGS or _MODEL_TAG.fullmatch(t)]
    return _widest(found)
