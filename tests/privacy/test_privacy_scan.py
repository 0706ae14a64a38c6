"""The end-of-run privacy scan (tests/privacy.py) spots personal data and fails the run."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

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


# The smallest run that proves it: the project's conftest (its `run_log` fixture scans the
# log), and no plugin the inner tests do not use (no xdist, coverage, asyncio, hypothesis…).
NO_PLUGINS = ("cacheprovider", "xdist", "cov", "asyncio", "anyio", "hypothesispytest",
              "timeout", "platformdirs")


def _start_inner(folder: Path, leak: str) -> subprocess.Popen[str]:
    """A small pytest run with this project's conftest, whose one test logs `leak`."""
    inner = folder / "inner"
    inner.mkdir()
    (inner / "conftest.py").write_text("from tests.conftest import run_log  # noqa: F401\n")
    (inner / "test_inner.py").write_text(INNER_TESTS.format(leak=leak))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MADOGUCHI_TEST_LOG_DIR": str(folder / "logs")}
    plugins = [arg for name in NO_PLUGINS for arg in ("-p", f"no:{name}")]
    return subprocess.Popen([sys.executable, "-m", "pytest", *plugins, "-q", "--rootdir",
                             str(inner), str(inner)], cwd=ROOT, env=env, text=True,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)


@dataclass(frozen=True)
class Inner:
    """How an inner run ended."""

    returncode: int
    stdout: str


@pytest.fixture(scope="module")
def inner_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Inner]]:
    """Both inner runs, started side by side (each is mostly Python start-up): by leak."""
    started = {}
    for leak in ("090-1234-5678", "a profile"):
        folder = tmp_path_factory.mktemp("inner")
        started[leak] = (folder, _start_inner(folder, leak))
    done = {}
    for leak, (folder, proc) in started.items():
        try:
            stdout, _ = proc.communicate(timeout=300)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        done[leak] = (folder, Inner(proc.returncode, stdout))
    return done


def test_a_run_whose_log_holds_a_phone_or_a_line_id_fails(inner_runs):
    folder, leaked = inner_runs["090-1234-5678"]
    assert leaked.returncode != 0, leaked.stdout
    assert "2 passed, 1 error" in leaked.stdout
    assert "personal data findings" in leaked.stdout and "090-1234-5678" in leaked.stdout
    # The log is kept to read.
    assert list((folder / "logs").glob("test-run-*.log"))


def test_a_run_with_clean_logs_passes_and_removes_its_log(inner_runs):
    folder, clean = inner_runs["a profile"]
    assert clean.returncode == 0, clean.stdout
    assert "2 passed" in clean.stdout and "error" not in clean.stdout
    assert not list((folder / "logs").glob("test-run-*.log"))
