"""A notice's audience and a finance product's minimum name tiers by cultivation's choices."""

from django.utils import translation

from oasis.cultivation.models import GRADIENT_CHOICES
from oasis.finance.models import FinanceProduct
from oasis.portal.models import Notice


def test_every_tier_field_uses_the_one_set_of_choices():
    assert Notice._meta.get_field("audience_tier").choices == GRADIENT_CHOICES
    assert FinanceProduct._meta.get_field("min_tier").choices == GRADIENT_CHOICES
    # Read in Chinese whatever language an earlier test in this process left active.
    with translation.override("zh-hans"):
        assert str(dict(GRADIENT_CHOICES)["little_giant"]) == "专精特新“小巨人”企业"
