"""Accessibility checks in a real browser: axe-core (vendored, never fetched) run over a Playwright page.

Streamlit 1.67 draws custom components (components v2) in the page itself, each in an *open* shadow
root, which axe walks on its own. Anything in an ``<iframe>`` (a components-v1 element, a future
embed) is a separate document: axe is injected into every frame and run there too, each frame on its
own (``iframes: false``), so no frame's result depends on axe's cross-frame messaging.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

#: The vendored axe-core (labtools/vendor/axe-core/README.md says where it came from).
AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
AXE_VERSION = "4.14.1"
#: sha256 of ``axe.min.js`` as published on npm: a changed file is a changed tool, so it is refused.
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
#: WCAG 2.0, 2.1 and 2.2, levels A and AA: the rules a university's accessibility policy cites.
WCAG_AA_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")
#: The impacts the acceptance counts (axe's other two, "moderate" and "minor", are reported by axe too).
SERIOUS = ("serious", "critical")

# Runs in the page: axe over the document minus ``exclude``, WCAG tags only, one result per rule
# with every failing element's selector (a list of selectors into nested shadow roots / frames).
_RUN = """async ([exclude, tags]) => {
  const context = exclude.length ? { include: [document], exclude } : document;
  const r = await window.axe.run(context, {
    runOnly: { type: 'tag', values: tags },
    iframes: false,
    resultTypes: ['violations'],
  });
  return r.violations.map(v => ({
    rule: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({
      target: n.target.map(t => Array.isArray(t) ? t.join(' >>> ') : t).join(' | '),
      impact: n.impact, summary: (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 240),
      html: (n.html || '').slice(0, 160),
    })),
  }));
}"""


@dataclass(frozen=True)
class Violation:
    """One axe rule that fails on one element: which rule, how bad, and where."""

    rule: str
    impact: str
    help: str
    target: str  # axe's selector; ``a >>> b`` steps into a shadow root
    summary: str  # axe's "Fix any of the following: …"
    html: str  # the element's opening markup (shortened)
    frame: str  # the frame's URL ("" for the top document)

    def __str__(self) -> str:
        where = f" [frame {self.frame}]" if self.frame else ""
        return f"{self.rule} ({self.impact}): {self.target}{where}: {self.summary} :: {self.html}"


@cache
def axe_source() -> str:
    """The vendored axe-core's text, after checking that it is the pinned file."""
    data = AXE_JS.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != AXE_SHA256:
        raise RuntimeError(f"{AXE_JS} is not axe-core {AXE_VERSION} as vendored (sha256 {digest})")
    return data.decode("utf-8")


def inject_axe(frame) -> None:
    """Put axe into a Playwright page or frame, unless it is there already (a Streamlit rerun or a
    page change from the sidebar keeps the document, so one injection serves a whole walk)."""
    if not frame.evaluate("() => !!window.axe"):
        frame.add_script_tag(content=axe_source())


def axe_violations(
    page, exclude: tuple[str, ...] = (), tags: tuple[str, ...] = WCAG_AA_TAGS, impacts: tuple[str, ...] = SERIOUS
) -> list[Violation]:
    """axe's WCAG A/AA violations of ``impacts`` on ``page`` and in each of its frames, one per
    failing element. ``exclude``: CSS selectors axe skips (each one a documented exception)."""
    out: list[Violation] = []
    for frame in page.frames:
        if frame.is_detached():
            continue
        inject_axe(frame)
        found = frame.evaluate(_RUN, [[[s] for s in exclude], list(tags)])
        name = "" if frame == page.main_frame else frame.url
        for v in found:
            for n in v["nodes"]:
                impact = n["impact"] or v["impact"]
                if impact in impacts:
                    out.append(Violation(v["rule"], impact, v["help"], n["target"], n["summary"], n["html"], name))
    return out
