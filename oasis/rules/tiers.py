"""The tiers of 梯度培育 (the gradient a specialised SME climbs): the one home of their keys.

Rule sets, the cultivation pool, notices' audiences and finance products all name tiers
by these keys; Django choices with the Chinese labels are built on this enum in
`oasis.cultivation.models.Tier` (this package has no Django).
"""

from __future__ import annotations

from enum import StrEnum


class Tier(StrEnum):
    """A tier key. 科技型中小企业 is the 2026 rules' second door into the first step."""

    INNOVATIVE_SME = "innovative_sme"  # 创新型中小企业
    TECH_SME = "tech_sme"  # 科技型中小企业
    SRDI_SME = "srdi_sme"  # 专精特新中小企业
    LITTLE_GIANT = "little_giant"  # 专精特新“小巨人”企业

    @property
    def level(self) -> int:
        """The step of the gradient (1 to 3); both first-step doors share step 1."""
        return LEVEL[self]


#: Step of each tier in the gradient.
LEVEL: dict[str, int] = {
    Tier.INNOVATIVE_SME: 1,
    Tier.TECH_SME: 1,
    Tier.SRDI_SME: 2,
    Tier.LITTLE_GIANT: 3,
}

#: The three steps a park cultivates a firm through, lowest first: a notice's audience and
#: a finance product's minimum are one of these.
GRADIENT: tuple[Tier, ...] = (Tier.INNOVATIVE_SME, Tier.SRDI_SME, Tier.LITTLE_GIANT)
