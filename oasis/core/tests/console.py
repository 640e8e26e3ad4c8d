"""The `oasis` console command run as a deployment would run it: a fresh process with
the environment given and none of the test run's settings variables."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
# Not the browser fixture's DJANGO_ALLOW_ASYNC_UNSAFE either: no deployment has it.
DROPPED = ("SECRET_KEY", "DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")


def run_oasis(env_over: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in DROPPED}
    env.update(env_over)
    return subprocess.run(
        [sys.executable, "-m", "oasis", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
