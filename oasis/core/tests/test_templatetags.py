from decimal import Decimal

from oasis.core.templatetags.oasis import num, pct, wan, yi


def test_units_round_half_up_with_grouping():
    assert yi(Decimal("2500000")) == "0.03"
    assert yi(Decimal("50000000000")) == "500.00"
    assert wan(Decimal("12345678.9")) == "1,234.57"
    assert num(Decimal("1620.50")) == "1,621"
    assert num(518000) == "518,000"
    assert num(Decimal("1620.504"), 2) == "1,620.50"


def test_blanks_are_dashes_not_zeros():
    assert yi(None) == "—" and wan("") == "—" and num(None) == "—"
    assert pct(None, 10) == "—" and pct(5, 0) == "—"
    assert pct(1, 3) == "33.3%"
