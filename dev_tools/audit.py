"""`./dev audit`: known vulnerabilities in the locked dependencies (pip-audit over uv.lock).

Fails when a locked package has a known vulnerability with a fixed version to move to; only
warns when none is fixed yet or when the advisory data cannot be reached (pip-audit then
reports packages as "could not be audited" — which must not read as "no vulnerabilities").
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Verdict:
    """What the audit found: failures (fix available), warnings, and packages checked."""

    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    audited: int = 0

    @property
    def exit_code(self) -> int:
        return 1 if self.failures else 0


def judge(report: dict) -> Verdict:
    """Read pip-audit's JSON report (`--format json`) into a verdict."""
    verdict = Verdict()
    skipped = 0
    for dep in report.get("dependencies", []):
        if "skip_reason" in dep:
            skipped += 1
            continue
        verdict.audited += 1
        for vuln in dep.get("vulns", []):
            where = f"{dep['name']} {dep.get('version', '?')}: {vuln.get('id', '?')}"
            fixes = vuln.get("fix_versions") or []
            if fixes:
                verdict.failures.append(f"{where} (fixed in {', '.join(fixes)})")
            else:
                verdict.warnings.append(f"{where} (no fixed version yet)")
    if skipped:
        verdict.warnings.append(f"{skipped} packages could not be audited: the advisory "
                                "service did not answer for them")
    return verdict


def run_pip_audit(requirements: str) -> dict | None:
    """pip-audit's JSON report, or None when it could not run (no network, service down)."""
    with tempfile.TemporaryDirectory() as tmp:
        req, out = Path(tmp) / "requirements.txt", Path(tmp) / "report.json"
        req.write_text(requirements)
        try:
            done = subprocess.run(
                [sys.executable, "-m", "pip_audit", "-r", str(req), "--no-deps",
                 "--disable-pip", "--progress-spinner", "off", "--format", "json",
                 "-o", str(out), "--timeout", "15"],
                capture_output=True, text=True, timeout=240)
        except subprocess.TimeoutExpired:
            print("audit: pip-audit timed out")
            return None
        if not out.exists() or not out.read_text().strip():
            print(f"audit: pip-audit could not run: {done.stderr.strip()[-300:]}")
            return None
        return json.loads(out.read_text())


def main(argv: list[str]) -> int:
    """Audit the requirements file `uv export` wrote (argv[0])."""
    report = run_pip_audit(Path(argv[0]).read_text())
    if report is None:
        print("audit: WARNING advisory data unreachable; dependencies not audited")
        return 0
    verdict = judge(report)
    for line in verdict.warnings:
        print(f"audit: WARNING {line}")
    for line in verdict.failures:
        print(f"audit: VULNERABLE {line}")
    print(f"audit: {verdict.audited} packages audited, {len(verdict.failures)} with a fix "
          "to apply")
    return verdict.exit_code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
