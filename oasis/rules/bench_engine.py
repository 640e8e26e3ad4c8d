"""Benchmark: synthesise 100,000 random facts dicts and time the engine.

Run: ``.venv/bin/python -m oasis.rules.bench_engine [N]``.  Prints the time to
validate+flatten the facts (shared by both rule sets), the evaluate time of each
rule set, explanation time for a sample, and peak RSS.
"""

from __future__ import annotations

import random
import resource
import sys
import time
from typing import Any

CODES = [
    "C",
    "39",
    "3911",
    "5211",
    "5111",
    "6510",
    "7010",
    "7020",
    "L",
    "I64",
    "M7310",
    "A01",
    "E47",
    "G54",
    "G59",
    "6010",
    "H61",
    "H62",
    "J66",
]


def random_facts(n: int, seed: int = 7, date: str = "2026-05-01") -> list[dict[str, Any]]:
    """``n`` plausible facts dicts, with roughly 5% of each optional fact left unknown."""
    rnd = random.Random(seed)

    def maybe(v: Any) -> Any:
        return None if rnd.random() < 0.05 else v

    y = int(date[:4])
    out = []
    for i in range(n):
        rev = rnd.randrange(1_000_000, 300_000_000)
        years = {}
        r = rev
        for k in (1, 2, 3):
            years[str(y - k)] = {
                "revenue": maybe(r),
                "main_business_revenue": maybe(int(r * rnd.uniform(0.4, 1.0))),
                "rd_expense": maybe(int(r * rnd.uniform(0.0, 0.12))),
                "total_assets": maybe(int(r * rnd.uniform(0.5, 2.0))),
                "total_liabilities": maybe(int(r * rnd.uniform(0.1, 1.5))),
                "net_profit": maybe(int(r * rnd.uniform(-0.1, 0.2))),
                "total_cost_expense": maybe(int(r * rnd.uniform(0.6, 1.0))),
                "employees": maybe(rnd.randrange(5, 1200)),
                "rd_staff": maybe(rnd.randrange(0, 100)),
                "st_staff": maybe(rnd.randrange(0, 150)),
            }
            r = int(r / rnd.uniform(0.8, 1.4))
        out.append(
            {
                "id": f"E{i}",
                "assessment_date": date,
                "industry_code": rnd.choice(CODES),
                "years": years,
                "niche_years": maybe(rnd.randrange(0, 15)),
                "ip": {
                    "class1": maybe(rnd.randrange(0, 6)),
                    "class1_self_developed": maybe(rnd.randrange(0, 3)),
                    "class1_high_value": maybe(rnd.randrange(0, 2)),
                    "class1_applied": maybe(rnd.randrange(0, 6)),
                    "class2": maybe(rnd.randrange(0, 10)),
                },
                "strategic_emerging": maybe(rnd.random() < 0.5),
                "main_product_field": maybe(
                    rnd.choice(["chain_gap_filling", "basic_or_supplier", "other"])
                ),
                "titles": [
                    {
                        "kind": rnd.choice(
                            ["innovative_sme", "tech_sme", "srdi_sme", "high_tech_enterprise"]
                        ),
                        "valid_until": f"{rnd.randrange(y - 2, y + 3)}-06-30",
                    }
                    for _ in range(rnd.randrange(0, 3))
                ],
                "awards": [
                    {
                        "level": rnd.choice(["national", "provincial"]),
                        "year": rnd.randrange(y - 6, y),
                        "rank": maybe(rnd.randrange(1, 8)),
                    }
                    for _ in range(rnd.randrange(0, 2))
                ],
                "rd_institution": maybe(
                    rnd.choice(["national", "provincial", "municipal", "below_municipal", "none"])
                ),
                "equity_financing": [
                    {"year": rnd.randrange(y - 4, y), "amount": rnd.randrange(1, 100) * 1_000_000}
                    for _ in range(rnd.randrange(0, 2))
                ],
                "digital_level": maybe(rnd.randrange(0, 5)),
                "quality": {
                    "award": maybe(rnd.random() < 0.3),
                    "certified": maybe(rnd.random() < 0.6),
                    "own_brand": maybe(rnd.random() < 0.5),
                    "standards": maybe(rnd.random() < 0.3),
                },
                "chuangke": None if rnd.random() < 0.5 else {},
                "market": {
                    "share": maybe(round(rnd.random() * 0.3, 3)),
                    "domestic_rank": maybe(rnd.randrange(1, 20)),
                    "leading_confirmed": maybe(rnd.random() < 0.5),
                },
                "development_score": {
                    str(y): maybe(rnd.randrange(30, 90)),
                    str(y - 1): maybe(rnd.randrange(30, 90)),
                },
                "provincial_points": maybe(rnd.randrange(0, 16)),
                "led_standard_5y": maybe(rnd.random() < 0.1),
                "qualitative": {
                    "key_chain_role": maybe(rnd.random() < 0.5),
                    "key_field": maybe(rnd.random() < 0.5),
                    "info_system": maybe(rnd.random() < 0.7),
                    "intl_certification": maybe(rnd.random() < 0.5),
                },
                "compliance": {
                    "independent_legal_person": True,
                    "abnormal_list": rnd.random() < 0.02,
                    "dishonest_list": False,
                    "serious_incident_3y": False,
                    "restricted_industry": False,
                },
                "is_re_review": rnd.random() < 0.1,
            }
        )
    return out


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str]) -> None:
    from oasis.rules import assess_frame, explain_rows
    from oasis.rules.engine import evaluate, prepare
    from oasis.rules.facts import facts_frame
    from oasis.rules.ruleset import load_rule_set

    n = int(argv[1]) if len(argv) > 1 else 100_000
    t0 = time.perf_counter()
    facts = random_facts(n)
    t1 = time.perf_counter()
    print(f"synthesised {n:,} facts dicts in {t1 - t0:.2f} s (not part of the engine)")
    for rs in ("miit-2022", "miit-2026"):
        load_rule_set(rs)
    t2 = time.perf_counter()
    ff = facts_frame(facts)
    t3 = time.perf_counter()
    print(f"validate + flatten facts -> frame:   {t3 - t2:.2f} s  (once, shared by both rule sets)")
    prepared = prepare(ff).collect().lazy()
    t4 = time.perf_counter()
    print(f"prepare (SME sizing):                {t4 - t3:.2f} s")
    total = t4 - t3
    results = {}
    for name in ("miit-2022", "miit-2026"):
        ta = time.perf_counter()
        results[name] = evaluate(ff, load_rule_set(name), prepared)
        tb = time.perf_counter()
        total += tb - ta
        counts = results[name].select([c for c in results[name].columns if c.endswith(".status")])
        summary = {
            c.removesuffix(".status"): dict(counts[c].value_counts().iter_rows())
            for c in counts.columns
        }
        print(f"evaluate {name}:                  {tb - ta:.2f} s  ({results[name].width} columns)")
        for k, v in summary.items():
            print(f"    {k:15s} {v}")
    print(f"evaluate both rule sets (incl. sizing): {total:.2f} s")
    tc = time.perf_counter()
    out = explain_rows(ff, results["miit-2026"], load_rule_set("miit-2026"), rows=range(1000))
    td = time.perf_counter()
    print(
        f"full explanations + next-tier paths for 1,000 firms: {td - tc:.2f} s ({len(out)} verdicts)"
    )
    te = time.perf_counter()
    assess_frame(facts[:1], "miit-2026")
    print(f"single-firm assess_frame: {(time.perf_counter() - te) * 1000:.1f} ms")
    print(
        f"end-to-end facts -> both summaries: {t3 - t2 + total:.2f} s; peak RSS {_peak_mb():.0f} MB"
    )


if __name__ == "__main__":
    main(sys.argv)
