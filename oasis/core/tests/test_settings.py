import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _run(env_over: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "DATABASE_URL")}
    env.update(env_over)
    return subprocess.run(
        [sys.executable, "-m", "oasis", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_refuses_to_start_without_secret_key_when_debug_is_off(tmp_path):
    r = _run({"DEBUG": "0", "OASIS_VAR_DIR": str(tmp_path)}, "check")
    assert r.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in r.stderr


def test_console_command_runs_with_a_key(tmp_path):
    r = _run({"DEBUG": "0", "SECRET_KEY": "x" * 50, "OASIS_VAR_DIR": str(tmp_path)}, "check")
    assert r.returncode == 0, r.stderr
    assert "System check identified no issues" in r.stdout
