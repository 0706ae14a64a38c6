"""axe-core in the page under test: the WCAG 2.0/2.1 A and AA rules, violations as a readable
failure (rule id, impact, the selectors of the elements at fault).

axe-core is the npm package pinned in dev_tools/axe/package-lock.json; `./dev test` installs it
with `npm ci` and so does `installed_axe()` when node_modules is missing or stale. The script is
evaluated through the DevTools protocol, so the page's own CSP stays on while it is checked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dev_tools.npm_ci import AXE_DIR, AXE_SCRIPT, NpmMissing, ensure

WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                          resultTypes: ["violations"]});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary}))}));
}"""


def installed_axe() -> str:
    """axe.min.js's source, `npm ci`'d first when needed; fails (never skips) without npm."""
    try:
        ensure(AXE_DIR)
    except NpmMissing as missing:
        pytest.fail(str(missing), pytrace=False)
    return Path(AXE_SCRIPT).read_text(encoding="utf-8")


def violations(page: Any, source: str) -> list[dict[str, Any]]:
    """axe's WCAG A/AA violations on the page as it is now."""
    page.evaluate(source + "\n;undefined")
    found: list[dict[str, Any]] = page.evaluate(RUN, list(WCAG_TAGS))
    return found


def report(where: str, found: list[dict[str, Any]]) -> str:
    """One line per rule and element: what a developer needs to find and fix it."""
    lines = [f"{where}: {len(found)} axe violation(s)"]
    for rule in found:
        lines.append(f"- {rule['id']} ({rule['impact']}): {rule['help']}")
        lines += [f"    {node['target']}  —  {node['summary']}" for node in rule["nodes"]]
    return "\n".join(lines)


def assert_no_violations(page: Any, source: str, where: str) -> None:
    """0 violations of the WCAG 2.0/2.1 A and AA rules, or a failure listing each."""
    found = violations(page, source)
    assert not found, report(where, found)
