"""Pure attraction rules, no ORM: matching Chinese company names for duplicates, and
comparing a year's commitment with what the firm reported."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from difflib import SequenceMatcher

# Place names that prefix or bracket a company name without telling firms apart.
PLACES = (
    "中国",
    "上海",
    "苏州",
    "常熟",
    "江苏",
    "浙江",
    "无锡",
    "昆山",
    "太仓",
    "张家港",
    "南京",
    "杭州",
    "宁波",
    "合肥",
    "深圳",
    "广州",
    "北京",
    "天津",
    "武汉",
    "成都",
    "临港",
    "嘉兴",
    "南通",
)
# Legal-form and generic words, longest first so "股份有限公司" goes before "有限公司".
SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "股份公司",
    "集团公司",
    "公司",
    "集团",
    "股份",
    "科技",
    "技术",
    "实业",
    "发展",
    "控股",
    "有限",
)
_BRACKETS = re.compile(r"[（(][^）)]*[）)]")
_NOISE = re.compile(r"[\s·・,，.。\-—_]")

SIMILAR_RATIO = 0.85
SIMILAR_JACCARD = 0.6


def name_key(name: str) -> str:
    """The distinctive part of a company name: "苏州绿洲智驾科技有限公司" and
    "绿洲智驾（苏州）科技有限公司" both give "绿洲智驾"."""
    key = _NOISE.sub("", _BRACKETS.sub("", name or "")).lower()
    changed = True
    while changed:
        changed = False
        for suffix in SUFFIXES:
            if key.endswith(suffix) and len(key) > len(suffix) + 1:
                key, changed = key[: -len(suffix)], True
        for place in PLACES:
            if key.startswith(place) and len(key) > len(place) + 1:
                key, changed = key[len(place) :], True
    return key[:120]


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


def name_similarity(a_key: str, b_key: str) -> float:
    """The larger of the character-bigram Jaccard and difflib's ratio, in [0, 1]."""
    if not a_key or not b_key:
        return 0.0
    if a_key == b_key:
        return 1.0
    a, b = _bigrams(a_key), _bigrams(b_key)
    jaccard = len(a & b) / len(a | b)
    return max(jaccard, SequenceMatcher(None, a_key, b_key).ratio())


def names_similar(a_key: str, b_key: str) -> bool:
    if not a_key or not b_key:
        return False
    if a_key == b_key:
        return True
    a, b = _bigrams(a_key), _bigrams(b_key)
    # Cheap bound first: if bigram sets barely overlap, difflib cannot score high either.
    if not a & b:
        return False
    return (
        len(a & b) / len(a | b) >= SIMILAR_JACCARD
        or SequenceMatcher(None, a_key, b_key).ratio() >= SIMILAR_RATIO
    )


# --- commitments ---------------------------------------------------------------------

ON_TRACK = "on_track"
BEHIND = "behind"
NOT_REPORTED = "not_reported"


@dataclass(frozen=True)
class CommitmentCheck:
    """One measure of one year: committed against reported (None = not reported)."""

    measure: str
    committed: Decimal | int | None
    reported: Decimal | int | None

    @property
    def status(self) -> str:
        if self.committed is None:
            return ON_TRACK
        if self.reported is None:
            return NOT_REPORTED
        return ON_TRACK if self.reported >= self.committed else BEHIND


def year_status(checks: list[CommitmentCheck]) -> str:
    """Behind if any measure is behind; not reported if a committed measure has no
    figure; on track otherwise."""
    statuses = [c.status for c in checks]
    if BEHIND in statuses:
        return BEHIND
    if NOT_REPORTED in statuses:
        return NOT_REPORTED
    return ON_TRACK
