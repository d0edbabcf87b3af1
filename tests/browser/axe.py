"""Automated accessibility checks with axe-core, injected from node_modules (npm axe-core, pinned in package.json).

Automated checks find only part of the problems (a fieldset with no legend text passes, for example), so they add
to keyboard and screen-reader checks by hand; they do not replace them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.2 AA, as the rules axe groups them: every level-A and level-AA rule from WCAG 2.0, 2.1 and 2.2.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def run_axe(page: Page) -> dict[str, Any]:
    if not AXE_JS.is_file():
        raise FileNotFoundError(f"{AXE_JS} is missing: run `make browser-deps` (npm ci) first")
    page.add_script_tag(path=str(AXE_JS))
    return page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", WCAG_TAGS)


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact') or 'no impact given'}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    at {target}")
    return "\n".join(lines)


def assert_no_axe_violations(page: Page) -> None:
    """Fail with one readable line per rule and one per element when axe finds a WCAG A/AA violation on the page."""
    violations = run_axe(page)["violations"]
    assert not violations, f"axe-core found {len(violations)} accessibility violation(s) on {page.url}:\n{describe(violations)}"
