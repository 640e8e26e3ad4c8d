"""Screen 100,000 synthetic enterprises under both rule sets, from the database.

    .venv/bin/python benchmarks/screening.py [--enterprises N] [--rebuild]

Builds its own data (N firms with three years of annual and extra figures, innovation
profiles, titles, awards, equity rounds and development scores) in its own SQLite
database under var/bench-screening/, with bulk_create. The data is kept between runs
(rebuilt when the size differs or with --rebuild); generation is not measured.

The measurement then runs in a fresh child process, so its peak memory is the
screening's own and not the generator's:
  load      = `oasis.cultivation.facts.build_facts_frame` over every firm (SQL → Polars)
  evaluate  = `oasis.rules.assess_many` under miit-2022 and miit-2026 (sizing shared)
  peak      = the child's maximum resident set size (getrusage ru_maxrss)
Last line: RESULT enterprises=… load_s=… evaluate_s=… total_s=… evaluate_over_load=… peak_mb=…
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench-screening"
DB_PATH = BENCH_DIR / "screening.sqlite3"
ASSESSMENT_DATE = dt.date(2026, 5, 1)
YEARS = (2025, 2024, 2023)
BATCH = 5000
# Codes across several 300号 sizing groups (industry, software, services, wholesale).
CODES = (
    "3911",
    "3976",
    "3562",
    "2710",
    "3411",
    "6513",
    "6511",
    "7320",
    "5179",
    "3670",
    "4011",
    "2929",
)
PARK_NAME = "筛查基准园区"


def setup_django() -> None:
    os.environ["OASIS_VAR_DIR"] = str(BENCH_DIR)
    os.environ["DATABASE_URL"] = f"sqlite:///{DB_PATH}"
    os.environ["DEBUG"] = "0"  # no query log: bulk inserts would keep their SQL in memory
    os.environ.setdefault(
        "SECRET_KEY", "benchmark-only-screening-not-secret-0123456789abcdefghijklmnop"
    )
    os.environ["DJANGO_SETTINGS_MODULE"] = "oasis.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _money(x: float) -> Decimal:
    return Decimal(round(x / 1000) * 1000)


def generate(n: int, seed: int = 2026) -> None:
    """N firms, bulk-inserted in batches; a believable spread (most firms small)."""
    from django.core.management import call_command
    from django.db import connections, transaction

    from oasis.cultivation.models import (
        Award,
        DevelopmentScore,
        EquityFinancing,
        ExtraFigure,
        InnovationProfile,
        Title,
    )
    from oasis.enterprises.models import AnnualFigure, Enterprise
    from oasis.parks.models import Park

    connections.close_all()  # the size check opened the old file: start on a new one
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DB_PATH}{suffix}").unlink(missing_ok=True)
    call_command("migrate", verbosity=0)
    rng = random.Random(seed)
    park = Park.objects.create(name=PARK_NAME, short_name="基准")
    start = time.perf_counter()
    for first in range(0, n, BATCH):
        count = min(BATCH, n - first)
        with transaction.atomic():
            firms = Enterprise.objects.bulk_create(
                [
                    Enterprise(
                        park=park,
                        name=f"基准企业{first + i:06d}",
                        industry_code=rng.choice(CODES),
                        industry_section="C",
                        status=Enterprise.Status.SETTLED,
                    )
                    for i in range(count)
                ]
            )
            figures, extra, profiles, titles, awards, equity, scores = [], [], [], [], [], [], []
            for e in firms:
                revenue = min(9e8, max(1e6, rng.lognormvariate(17.0, 1.1)))
                rd_share = rng.uniform(0.005, 0.12)
                for year in YEARS:
                    assets = revenue * rng.uniform(0.8, 2.2)
                    headcount = int(min(900, max(8, revenue / rng.uniform(4e5, 1.2e6))))
                    figures.append(
                        AnnualFigure(
                            enterprise=e,
                            year=year,
                            revenue=_money(revenue),
                            main_business_revenue=_money(revenue * rng.uniform(0.6, 1.0)),
                            rd_expense=_money(revenue * rd_share * rng.uniform(0.85, 1.15)),
                            total_assets=_money(assets),
                            total_liabilities=_money(assets * rng.uniform(0.2, 0.85)),
                            net_profit=_money(revenue * rng.uniform(-0.05, 0.15)),
                            headcount=headcount,
                            rd_staff=max(1, int(headcount * rng.uniform(0.05, 0.5))),
                        )
                    )
                    extra.append(
                        ExtraFigure(
                            enterprise=e,
                            year=year,
                            total_cost_expense=_money(revenue * rng.uniform(0.7, 1.0)),
                            st_staff=max(1, int(headcount * rng.uniform(0.1, 0.6))),
                        )
                    )
                    revenue /= 1 + rng.uniform(-0.1, 0.4)
                profiles.append(
                    InnovationProfile(
                        enterprise=e,
                        ip_class1=rng.choice((0, 0, 1, 2, 3, 5, 8)),
                        ip_class1_self_developed=rng.choice((0, 1, 2)),
                        ip_class1_high_value=rng.choice((0, 0, 1)),
                        ip_class1_applied=rng.choice((0, 1, 2, 3)),
                        ip_class2=rng.choice((0, 2, 5, 10)),
                        niche_years=Decimal(rng.randint(1, 12)),
                        strategic_emerging=rng.random() < 0.5,
                        main_product_field=rng.choice(
                            ("chain_gap_filling", "basic_or_supplier", "other")
                        ),
                        rd_institution=rng.choice(
                            (
                                "none",
                                "none",
                                "below_municipal",
                                "municipal",
                                "provincial",
                                "national",
                            )
                        ),
                        digital_level=rng.randint(0, 4),
                        quality_award=rng.random() < 0.2,
                        quality_certified=rng.random() < 0.8,
                        quality_own_brand=rng.random() < 0.6,
                        quality_standards=rng.random() < 0.3,
                        chuangke_group=rng.choice(("none", "none", "none", "top500", "top50")),
                        chuangke_year=2024,
                        market_share=Decimal(rng.randint(0, 300)) / 1000,
                        market_domestic_rank=rng.randint(1, 30),
                        market_leading_confirmed=rng.random() < 0.3,
                        provincial_points=Decimal(rng.randint(0, 15))
                        if rng.random() < 0.7
                        else None,
                        led_standard_5y=rng.random() < 0.1,
                        compliance_independent_legal_person=True,
                        compliance_abnormal_list=rng.random() < 0.02,
                        compliance_dishonest_list=False,
                        compliance_serious_incident_3y=False,
                        compliance_restricted_industry=False,
                        qualitative_key_chain_role=rng.random() < 0.3,
                        qualitative_key_field=rng.random() < 0.4,
                        qualitative_info_system=rng.random() < 0.6,
                        qualitative_intl_certification=rng.random() < 0.3,
                        is_re_review=False,
                        titles_complete=True,
                        awards_complete=True,
                        equity_complete=True,
                    )
                )
                if rng.random() < 0.5:
                    titles.append(
                        Title(enterprise=e, kind="innovative_sme", valid_until=dt.date(2027, 6, 30))
                    )
                if rng.random() < 0.2:
                    titles.append(
                        Title(enterprise=e, kind="srdi_sme", valid_until=dt.date(2027, 12, 31))
                    )
                if rng.random() < 0.3:
                    titles.append(
                        Title(
                            enterprise=e,
                            kind="high_tech_enterprise",
                            valid_until=dt.date(2026, 12, 31),
                        )
                    )
                if rng.random() < 0.1:
                    awards.append(
                        Award(
                            enterprise=e,
                            level=rng.choice(("national", "provincial")),
                            year=rng.choice(YEARS),
                            rank=rng.randint(1, 6),
                        )
                    )
                if rng.random() < 0.2:
                    equity.append(
                        EquityFinancing(
                            enterprise=e,
                            year=rng.choice(YEARS[:2]),
                            amount=_money(rng.uniform(2e6, 1e8)),
                        )
                    )
                if rng.random() < 0.3:
                    scores.append(
                        DevelopmentScore(
                            enterprise=e, year=2026, score=Decimal(rng.randint(40, 90))
                        )
                    )
            for model, rows in (
                (AnnualFigure, figures),
                (ExtraFigure, extra),
                (InnovationProfile, profiles),
                (Title, titles),
                (Award, awards),
                (EquityFinancing, equity),
                (DevelopmentScore, scores),
            ):
                model.objects.bulk_create(rows, batch_size=2000)
        print(
            f"  generated {first + count:,} / {n:,} firms ({time.perf_counter() - start:.0f} s)",
            flush=True,
        )


def existing_count() -> int:
    if not DB_PATH.exists():
        return -1
    from oasis.enterprises.models import Enterprise
    from oasis.parks.models import Park

    try:
        park = Park.objects.filter(name=PARK_NAME).first()
        return Enterprise.objects.filter(park=park).count() if park else -1
    except Exception:
        return -1


def measure(n: int) -> None:
    """Child process: load the facts from the database, evaluate both rule sets."""
    setup_django()
    import polars as pl

    from oasis.cultivation.facts import build_facts_frame
    from oasis.enterprises.models import Enterprise
    from oasis.parks.models import Park
    from oasis.rules import assess_many

    qs = Enterprise.objects.filter(park=Park.objects.get(name=PARK_NAME))
    t0 = time.perf_counter()
    ff, ids = build_facts_frame(qs, ASSESSMENT_DATE)
    t1 = time.perf_counter()
    results = assess_many(ff, ("miit-2022", "miit-2026"))
    t2 = time.perf_counter()
    assert ff.height == len(ids) == n, (ff.height, n)
    load, evaluate, total = t1 - t0, t2 - t1, t2 - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for name, res in results.items():
        tiers = [c[:-7] for c in res.columns if c.endswith(".status")]
        print(f"{name}:")
        for t in tiers:
            counts = dict(res.group_by(f"{t}.status").len().iter_rows())
            print(
                f"  {t:<16} qualified {counts.get('qualified', 0):>7,}  review {counts.get('review', 0):>7,}"
                f"  not_qualified {counts.get('not_qualified', 0):>7,}"
            )
    print(
        f"facts frame: {ff.main.height:,} rows x {ff.main.width} columns, titles {ff.titles.height:,}, "
        f"awards {ff.awards.height:,}, equity {ff.equity.height:,} (polars {pl.__version__})"
    )
    print(f"load (DB -> facts frame)      {load:7.2f} s")
    print(f"evaluate (both rule sets)     {evaluate:7.2f} s")
    print(f"total                         {total:7.2f} s")
    print(f"evaluate / load               {evaluate / load:7.2f}")
    print(f"peak memory (maxrss)          {peak_mb:7.0f} MB")
    print(
        f"RESULT enterprises={n} load_s={load:.2f} evaluate_s={evaluate:.2f} total_s={total:.2f} "
        f"evaluate_over_load={evaluate / load:.2f} peak_mb={peak_mb:.0f}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.enterprises)
        return
    setup_django()
    if args.rebuild or existing_count() != args.enterprises:
        print(f"generating {args.enterprises:,} firms in {DB_PATH} (not measured)…", flush=True)
        generate(args.enterprises)
    else:
        print(f"reusing {DB_PATH} ({args.enterprises:,} firms)", flush=True)
    from django.db import connections

    connections.close_all()
    proc = subprocess.run(
        [sys.executable, __file__, "--measure", "--enterprises", str(args.enterprises)],
        cwd=ROOT,
        check=False,
    )
    sys.exit(proc.returncode)


if __name__ == "__main__":
    main()
