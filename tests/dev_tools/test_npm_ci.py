"""axe-core is installed with `npm ci` from the pinned lock only when node_modules is missing
or was installed from another lock; without npm the message says what installs it."""

from __future__ import annotations

import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from dev_tools.npm_ci import AXE_DIR, NpmMissing, ensure, up_to_date


def _copy(tmp_path: Path) -> Path:
    """A copy of dev_tools/axe's package.json and lock, nothing installed."""
    for name in ("package.json", "package-lock.json"):
        shutil.copy(AXE_DIR / name, tmp_path / name)
    return tmp_path


def test_axe_core_is_pinned_to_one_exact_version_in_the_lock():
    wanted = json.loads((AXE_DIR / "package.json").read_text())["devDependencies"]["axe-core"]
    locked = json.loads((AXE_DIR / "package-lock.json").read_text())
    assert wanted[0].isdigit()  # exact: no ^ or ~ range
    assert locked["packages"]["node_modules/axe-core"]["version"] == wanted


def test_npm_ci_runs_once_then_only_when_the_lock_changes(tmp_path):
    directory = _copy(tmp_path)
    assert not up_to_date(directory)
    assert ensure(directory) is True
    assert (directory / "node_modules" / "axe-core" / "axe.min.js").is_file()
    assert ensure(directory) is False
    lock = directory / "package-lock.json"
    lock.write_text(lock.read_text() + "\n")  # another lock, even by a byte
    assert not up_to_date(directory)
    assert ensure(directory) is True and up_to_date(directory)


def test_without_npm_it_says_what_installs_it(tmp_path):
    with pytest.raises(NpmMissing, match=r"\./dev test.*apt-get install nodejs npm"):
        ensure(_copy(tmp_path), which=lambda name: None)


def test_installers_started_together_install_once(tmp_path):
    directory = _copy(tmp_path)
    with ThreadPoolExecutor(max_workers=3) as pool:
        ran = list(pool.map(lambda _: ensure(directory), range(3)))
    assert sorted(ran) == [False, False, True] and up_to_date(directory)
