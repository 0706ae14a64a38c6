"""The end-of-run privacy scan (tests/privacy.py) spots personal data and fails the run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.privacy import findings

ROOT = Path(__file__).resolve().parents[2]


def test_the_scanner_spots_each_kind_of_personal_data():
    leaky = ('{"msg": "user U0123456789abcdef0123456789abcdef phone 090-1234-5678 '
             'e164 +819012345678 no 02040-12345678 office 0204-123456-7 name 山田 太郎 '
             'staff Ustaff0123456789abcdef0123456789abcdef"}')
    kinds = [f.split(":")[0] for f in findings(leaky, known={"山田 太郎"})]
    assert sorted(set(kinds)) == sorted({"raw LINE user id", "phone (national)",
                                         "phone (E.164)", "求職番号 / 求人番号", "事業所番号",
                                         "test data"})
    assert kinds.count("raw LINE user id") == 2
    clean = ('{"ts": "2026-12-01T01:00:00+00:00", "user": "3f2a9c0d1e4b5a6978c0d1e2f3a4b5c6", '
             '"event_id": "01JD0000000000000000000000", "msg": "office phone 0173-00-0000 '
             'took 0.0123 s on port 54321 UTCDateTime"}')
    assert findings(clean, known={"山田 太郎"}) == []


INNER_TESTS = '''
import logging

from tests.evidence import saw_line_id

def test_logs_what_it_should_not():
    logging.getLogger("app").warning("profile saved for %s", {leak!r})

def test_logs_nothing_personal():
    saw_line_id("U" + "ab" * 16)
    logging.getLogger("app").warning("profile saved")
'''


def _run_inner(tmp_path: Path, leak: str) -> subprocess.CompletedProcess[str]:
    """A small pytest run with this project's conftest, whose one test logs `leak`."""
    inner = tmp_path / "inner"
    inner.mkdir()
    (inner / "conftest.py").write_text("from tests.conftest import run_log  # noqa: F401\n")
    (inner / "test_inner.py").write_text(INNER_TESTS.format(leak=leak))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MADOGUCHI_TEST_LOG_DIR": str(tmp_path / "logs")}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p",
                           "no:xdist", "-p", "no:cov", "-q", "--rootdir", str(inner), str(inner)],
                          cwd=ROOT, env=env, text=True, capture_output=True, timeout=120)


def test_a_run_whose_log_holds_a_phone_or_a_line_id_fails(tmp_path: Path):
    leaked = _run_inner(tmp_path, "090-1234-5678")
    assert leaked.returncode != 0, leaked.stdout
    assert "2 passed, 1 error" in leaked.stdout
    assert "personal data findings" in leaked.stdout and "090-1234-5678" in leaked.stdout
    # The log is kept to read.
    assert list((tmp_path / "logs").glob("test-run-*.log"))


def test_a_run_with_clean_logs_passes_and_removes_its_log(tmp_path: Path):
    clean = _run_inner(tmp_path, "a profile")
    assert clean.returncode == 0, clean.stdout
    assert "2 passed" in clean.stdout and "error" not in clean.stdout
    assert not list((tmp_path / "logs").glob("test-run-*.log"))
