"""KIOSK_REQUIRE_HARDWARE: a missing tool skips on a developer's machine and fails on CI,
and no test steps aside any other way."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

TINY_SUITE = '''
from tests.needs import require_module, require_or_skip

def test_needs_a_device_that_is_not_here():
    require_or_skip(False, "vpcd is not installed")

def test_needs_a_device_that_is_here():
    require_or_skip(True, "pcscd is not installed")

def test_needs_a_module_that_is_not_here():
    require_module("no_such_module_for_civic_kiosk", "the frobnicator library is not installed")
'''


def _run_tiny_suite(tmp_path: Path, switch: str | None) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_tiny.py").write_text(TINY_SUITE, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("KIOSK_REQUIRE_HARDWARE", "CI")}
    env["PYTHONPATH"] = str(REPO)
    if switch is not None:
        env["KIOSK_REQUIRE_HARDWARE"] = switch
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rsf", "-p", "no:cacheprovider", "--rootdir",
         str(tmp_path), str(tmp_path / "test_tiny.py")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_without_the_switch_a_missing_tool_is_a_skip_that_says_what(tmp_path: Path) -> None:
    run = _run_tiny_suite(tmp_path, None)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed, 2 skipped" in run.stdout
    assert "vpcd is not installed" in run.stdout
    assert "the frobnicator library is not installed" in run.stdout


def test_with_the_switch_every_missing_tool_fails_the_run(tmp_path: Path) -> None:
    run = _run_tiny_suite(tmp_path, "1")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "2 failed, 1 passed" in run.stdout
    assert "skipped" not in run.stdout
    assert "vpcd is not installed (KIOSK_REQUIRE_HARDWARE=1" in run.stdout
    assert "the frobnicator library is not installed" in run.stdout


@pytest.mark.parametrize("value", ["0", ""])
def test_only_1_turns_the_switch_on(tmp_path: Path, value: str) -> None:
    run = _run_tiny_suite(tmp_path, value)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed, 2 skipped" in run.stdout


def test_script_test_turns_the_switch_on_under_ci() -> None:
    script = (REPO / "script" / "test").read_text(encoding="utf-8")
    assert re.search(r'if \[ -n "\$\{CI:-\}" \]; then\s+export KIOSK_REQUIRE_HARDWARE=1', script)


_OTHER_SKIPS = re.compile(r"pytest\.skip\(|pytest\.importorskip\(|mark\.skipif\b|mark\.skip\b")


def test_every_skip_goes_through_tests_needs() -> None:
    """A bare pytest.skip / skipif / importorskip would escape the switch."""
    here = Path(__file__).resolve()
    found = [f"{path.relative_to(REPO)}:{number}: {line.strip()}"
             for path in sorted((REPO / "tests").rglob("*.py"))
             if path not in (here, REPO / "tests" / "needs.py")
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if _OTHER_SKIPS.search(line)]
    assert found == [], "skip through tests/needs.py (require_or_skip) instead:\n" + "\n".join(found)
