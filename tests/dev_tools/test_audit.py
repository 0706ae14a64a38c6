"""`./dev audit` fails on a known vulnerability that has a fix, and only warns otherwise."""

from __future__ import annotations

from dev_tools.audit import judge

# The shape pip-audit 2.x writes with `--format json`.
FIXABLE = {"dependencies": [
    {"name": "jinja2", "version": "3.1.2", "vulns": [
        {"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.3"], "aliases": ["CVE-2024-22195"],
         "description": "xmlattr filter allows keys with spaces"}]},
    {"name": "fastapi", "version": "0.115.0", "vulns": []}], "fixes": []}
UNFIXED = {"dependencies": [
    {"name": "somepkg", "version": "1.0", "vulns": [
        {"id": "PYSEC-0000-1", "fix_versions": [], "aliases": [], "description": "x"}]}],
    "fixes": []}
UNREACHABLE = {"dependencies": [
    {"name": "aiohttp", "skip_reason": "Dependency not found on PyPI and could not be audited: "
                                       "aiohttp (3.14.5)"}], "fixes": []}


def test_a_vulnerability_with_a_fixed_version_fails_the_audit():
    verdict = judge(FIXABLE)
    assert verdict.exit_code == 1
    assert verdict.failures == ["jinja2 3.1.2: GHSA-h5c8-rqwp-cp95 (fixed in 3.1.3)"]
    assert verdict.audited == 2


def test_a_vulnerability_without_a_fix_only_warns():
    verdict = judge(UNFIXED)
    assert verdict.exit_code == 0 and verdict.failures == []
    assert verdict.warnings == ["somepkg 1.0: PYSEC-0000-1 (no fixed version yet)"]


def test_packages_the_service_could_not_answer_for_are_a_warning_not_a_pass():
    verdict = judge(UNREACHABLE)
    assert verdict.exit_code == 0 and verdict.audited == 0
    assert verdict.warnings == ["1 packages could not be audited: the advisory service did "
                                "not answer for them"]
