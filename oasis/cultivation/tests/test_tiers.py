"""One Tier: the Django choices carry exactly the rules' tier keys, each with one label."""

from oasis.cultivation.models import GRADIENT_CHOICES, Tier, TitleKind
from oasis.rules import tiers


def test_choices_are_the_rules_tiers_with_one_label_each():
    assert [t.value for t in Tier] == [t.value for t in tiers.Tier]
    assert [v for v, _label in GRADIENT_CHOICES] == list(tiers.GRADIENT)
    for t in Tier:
        assert TitleKind(t.value).label == t.label
