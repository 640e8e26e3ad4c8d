"""National identifiers: the unified social credit code (GB 32100-2015) with its
embedded organisation code (GB 11714-1997), and GB/T 4754-2017 industry codes.

Both check characters are verified: a USCC whose mod-31 character is right but whose
organisation code is wrong is still a typo, and catching typos is the point."""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# GB 32100: 31 symbols; I, O, S, V, Z are left out to avoid confusion with digits.
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_VALUES = {c: i for i, c in enumerate(USCC_CHARSET)}
USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]
ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]


def _org_value(char: str) -> int:
    # GB 11714 values letters A=10 … Z=35, unlike the USCC table.
    return int(char) if char.isdigit() else ord(char) - ord("A") + 10


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_VALUES[c] * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def org_code_check_char(body8: str) -> str:
    total = sum(_org_value(c) * w for c, w in zip(body8, ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def normalize_uscc(value: str) -> str:
    """What a person meant to type: full-width digits and letters from a Chinese input
    method folded to ASCII (NFKC), every kind of space and the hyphens some ledgers put
    between groups removed, upper case."""
    folded = unicodedata.normalize("NFKC", value or "").upper()
    return "".join(c for c in folded if not c.isspace() and c not in "-‐‑–—")


def uscc_prefix(term: str) -> Q:
    """A search term as the start of a USCC, when it could be one (letters and digits)."""
    return Q(uscc__startswith=normalize_uscc(term)) if term.isalnum() else Q()


def validate_uscc(value: str) -> None:
    """Raise ValidationError with a message that says which part is wrong."""
    code = normalize_uscc(value)
    if len(code) != 18:
        raise ValidationError(
            _("统一社会信用代码应为18位，当前为%(n)d位。"),
            code="uscc_length",
            params={"n": len(code)},
        )
    bad = [c for c in code if c not in USCC_VALUES]
    if bad:
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符：%(chars)s（不使用 I、O、S、V、Z）。"),
            code="uscc_charset",
            params={"chars": "".join(sorted(set(bad)))},
        )
    org = code[8:17]
    if not (org[8].isdigit() or org[8] == "X"):
        # The only position a format rule pins down: GB 11714's check is a digit or X.
        raise ValidationError(_("统一社会信用代码第17位应为数字或X。"), code="uscc_org_format")
    if org_code_check_char(org[:8]) != org[8] or uscc_check_char(code[:17]) != code[17]:
        # A check character shows that some character is wrong, never which one: a typo in
        # position 3 fails the same check as one in position 18.
        raise ValidationError(
            _("统一社会信用代码未通过校验，可能有字符输错，请逐位核对。"), code="uscc_check"
        )


def make_uscc(region: str, org_body: str, authority: str = "9", kind: str = "1") -> str:
    """Build a valid USCC (used by the demo generator and tests)."""
    org = org_body + org_code_check_char(org_body)
    first17 = authority + kind + region + org
    return first17 + uscc_check_char(first17)


@dataclass(frozen=True)
class IndustryCode:
    code: str
    name: str
    level: int
    parent: str

    @property
    def section(self) -> str:
        return industry_section(self.code)


@cache
def industry_table() -> dict[str, IndustryCode]:
    path = Path(__file__).parent / "data" / "gbt4754-2017.csv"
    with path.open(encoding="utf-8") as fh:
        return {
            row["code"]: IndustryCode(row["code"], row["name"], int(row["level"]), row["parent"])
            for row in csv.DictReader(fh)
        }


def industry_section(code: str) -> str:
    """The section letter (门类) of a code at any level."""
    table = industry_table()
    item = table.get(code)
    while item is not None and item.level > 1:
        item = table.get(item.parent)
    return item.code if item else ""


def industry_label(code: str) -> str:
    item = industry_table().get(code)
    return f"{code} {item.name}" if item else code


def validate_industry_code(value: str) -> None:
    if value not in industry_table():
        raise ValidationError(
            _("行业代码“%(code)s”不在《国民经济行业分类》(GB/T 4754-2017)中。"),
            code="industry_unknown",
            params={"code": value},
        )
