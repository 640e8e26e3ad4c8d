"""The demo park's shared finance: institutions with products, three consenting needs
matched against every product with reasons, one match taken to 已对接."""

import pytest

from oasis.finance.models import FinanceProduct, FinancingNeed, Institution, Match


@pytest.mark.django_db
def test_the_demo_has_institutions_products_and_matched_needs(demo):
    park = demo.park
    assert Institution.objects.filter(park=park).count() == 3
    products = FinanceProduct.objects.filter(institution__park=park).count()
    assert products == 4
    needs = FinancingNeed.objects.filter(enterprise__park=park)
    assert needs.filter(consent=True).count() == 3 and needs.filter(consent=False).exists()
    matches = Match.objects.filter(need__enterprise__park=park)
    assert matches.count() == 3 * products
    assert all(m.reasons for m in matches)
