"""`npm ci` for the JavaScript the tests use (axe-core in dev_tools/axe), run only when needed.

`./dev test` calls it before pytest, and the accessibility tests call it too, so a plain
`pytest` from a fresh clone works as well. `npm ci` installs exactly what package-lock.json
says (never `npm install`, which may rewrite the lock); it runs only when node_modules is
missing or was installed from another lock: a stamp in node_modules holds the lock's hash.
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

AXE_DIR = Path(__file__).resolve().parent / "axe"
AXE_SCRIPT = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
STAMP = ".package-lock.sha256"
LOCK = ".npm-ci.lock"  # held while npm ci runs (not in git)
NO_NPM = ("npm is missing: `./dev test` installs it (apt-get install nodejs npm); it is needed "
          "for axe-core ({directory})")


class NpmMissing(RuntimeError):
    """npm is not on PATH."""


def lock_hash(directory: Path) -> str:
    """The SHA-256 of the directory's package-lock.json."""
    return hashlib.sha256((directory / "package-lock.json").read_bytes()).hexdigest()


def up_to_date(directory: Path) -> bool:
    """node_modules exists and was installed from the lock as it is now."""
    stamp = directory / "node_modules" / STAMP
    return stamp.is_file() and stamp.read_text(encoding="ascii").strip() == lock_hash(directory)


def ensure(directory: Path = AXE_DIR,
           which: Callable[[str], str | None] = shutil.which) -> bool:
    """Run `npm ci` in `directory` unless its node_modules matches the lock; True if it ran."""
    if up_to_date(directory):
        return False
    npm = which("npm")
    if npm is None:
        raise NpmMissing(NO_NPM.format(directory=directory))
    # pytest-xdist workers may all arrive here on a fresh clone: one installs, the others wait
    # for it and then find node_modules up to date.
    with (directory / LOCK).open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if up_to_date(directory):
            return False
        wanted = lock_hash(directory)
        subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund",
                        "--loglevel=error"], cwd=directory, check=True)
        (directory / "node_modules" / STAMP).write_text(wanted + "\n", encoding="ascii")
    return True


def main() -> int:
    try:
        ran = ensure()
    except NpmMissing as missing:
        print(missing, file=sys.stderr)
        return 1
    print(f"axe-core: {'installed (npm ci)' if ran else 'up to date'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
