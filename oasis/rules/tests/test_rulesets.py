import datetime as dt
import shutil
from pathlib import Path

import pytest

from oasis.rules import available_rule_sets, load_rule_set, pick_rule_set
from oasis.rules import ruleset as ruleset_mod
from oasis.rules.tests.factories import base_facts, row
from oasis.rules.tiers import GRADIENT, Tier


def test_available_rule_sets():
    assert available_rule_sets() == ["miit-2022", "miit-2026"]


def test_tiers_per_rule_set():
    assert load_rule_set("miit-2022").tier_order == ("innovative_sme", "srdi_sme", "little_giant")
    assert load_rule_set("miit-2026").tier_order == (
        "innovative_sme",
        "tech_sme",
        "srdi_sme",
        "little_giant",
    )


@pytest.mark.parametrize(
    ("name", "tier"),
    [
        ("miit-2022", "innovative_sme"),
        ("miit-2022", "srdi_sme"),
        ("miit-2026", "innovative_sme"),
        ("miit-2026", "tech_sme"),
    ],
)
def test_points_tables_total_100(name, tier):
    t = load_rule_set(name).tiers[tier]
    assert sum(t.rules[i].max_points for i in t.points_group.items) == 100


def test_2026_innovative_door_is_the_2022_table():
    a, b = (
        load_rule_set("miit-2022").tiers["innovative_sme"],
        load_rule_set("miit-2026").tiers["innovative_sme"],
    )
    assert a.rules == b.rules and a.groups == b.groups
    assert b.source.startswith("工信部企业〔2022〕63号 附件1")


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("2026-03-31", "miit-2022"),
        ("2026-04-01", "miit-2026"),
        (dt.date(2030, 1, 1), "miit-2026"),
        ("2022-09-01", "miit-2022"),
    ],
)
def test_auto_picks_by_date(date, expected):
    assert pick_rule_set("auto", date) == expected


def test_explicit_and_unknown_names():
    assert pick_rule_set("miit-2022", "2027-01-01") == "miit-2022"
    with pytest.raises(KeyError):
        pick_rule_set("miit-2099", None)


def test_auto_in_assess_uses_facts_date():
    from oasis.rules import assess

    assert assess([base_facts(assessment_date="2026-03-31")])["rule_set"] == "miit-2022"
    assert assess([base_facts()])["rule_set"] == "miit-2026"


def test_threshold_change_is_a_data_edit(tmp_path: Path, monkeypatch):
    for p in ruleset_mod.RULESETS_DIR.glob("*.toml"):
        shutil.copy(p, tmp_path / p.name)
    f = tmp_path / "miit-2026.toml"
    text = f.read_text(encoding="utf-8")
    old = 'threshold = "50000000"\nlabel = "上年度营业收入不低于5000万元"'
    assert old in text
    f.write_text(
        text.replace(old, 'threshold = "200000000"\nlabel = "上年度营业收入不低于5000万元"'),
        encoding="utf-8",
    )
    monkeypatch.setattr(ruleset_mod, "RULESETS_DIR", tmp_path)
    ruleset_mod.load_rule_set.cache_clear()
    try:
        assert row(base_facts(), "miit-2026")["little_giant.status"] == "not_qualified"
    finally:
        monkeypatch.undo()
        ruleset_mod.load_rule_set.cache_clear()
    assert row(base_facts(), "miit-2026")["little_giant.status"] == "qualified"


def test_a_rule_set_names_only_known_tiers(tmp_path: Path, monkeypatch):
    for p in ruleset_mod.RULESETS_DIR.glob("*.toml"):
        shutil.copy(p, tmp_path / p.name)
    f = tmp_path / "miit-2022.toml"
    f.write_text(
        f.read_text(encoding="utf-8").replace('"little_giant"', '"giant"'), encoding="utf-8"
    )
    f.write_text(
        f.read_text(encoding="utf-8").replace("[tiers.little_giant", "[tiers.giant"),
        encoding="utf-8",
    )
    monkeypatch.setattr(ruleset_mod, "RULESETS_DIR", tmp_path)
    ruleset_mod.load_rule_set.cache_clear()
    try:
        with pytest.raises(ruleset_mod.RuleSetError) as exc:
            load_rule_set("miit-2022")
    finally:
        monkeypatch.undo()
        ruleset_mod.load_rule_set.cache_clear()
    assert str(exc.value) == "miit-2022: unknown tiers ['giant'] (see oasis/rules/tiers.py)"


def test_tier_steps():
    assert [t.level for t in Tier] == [1, 1, 2, 3]
    assert GRADIENT == (Tier.INNOVATIVE_SME, Tier.SRDI_SME, Tier.LITTLE_GIANT)
    for name in available_rule_sets():
        assert set(load_rule_set(name).tier_order) <= set(Tier)


def test_every_rule_has_labels_and_confidence():
    for name in available_rule_sets():
        rs = load_rule_set(name)
        for key in rs.tier_order:
            for r in rs.tier_rules(key):
                assert r.label and r.label_en and r.confidence in ("H", "M", "L")
