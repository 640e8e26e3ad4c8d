"""Finance writes take the one write path: each records its audit row under the finance
app's label and moves the park's data version, so cached figures are recomputed."""

from decimal import Decimal

from oasis.core.cache import park_data_version
from oasis.core.models import AuditEntry
from oasis.finance import services


def test_institution_product_and_need_are_audited_and_move_the_version(
    committed, operator, member, park
):
    start = park_data_version(park.pk)
    with committed():
        inst = services.institution_save(
            actor=operator, park=park, data={"name": "常熟农商银行", "kind": "bank"}
        )
    assert park_data_version(park.pk) > start
    services.product_save(
        actor=operator,
        institution=inst,
        data={"name": "科创贷", "amount_min": Decimal("1"), "amount_max": Decimal("2")},
    )
    services.need_create(
        actor=member, data={"amount": Decimal("5000000"), "purpose": "流动资金", "consent": True}
    )
    labels = set(AuditEntry.objects.filter(park_id=park.pk).values_list("model", flat=True))
    assert labels == {
        "finance.institution",
        "finance.financeproduct",
        "finance.financingneed",
        "finance.match",
    }
