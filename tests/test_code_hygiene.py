"""Source-level checks for defects a test of behaviour cannot see until a server log fills up."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [
    ROOT / "app.py",
    *sorted((ROOT / "latentlab").rglob("*.py")),
    *sorted((ROOT / "aecore").rglob("*.py")),
]


def test_no_deprecated_use_container_width():
    """Streamlit deprecated ``use_container_width`` (its removal date has passed): each call logged a
    warning, 87 in one walk through the app. ``width="stretch"`` is the replacement."""
    needle = "use_container" + "_width"  # split, so this file does not match itself
    hits = [
        f"{p.relative_to(ROOT)}:{i}"
        for p in SOURCES
        for i, line in enumerate(p.read_text().splitlines(), 1)
        if needle in line
    ]
    assert SOURCES and not hits, hits


def test_no_production_function_is_over_80_lines():
    """A reader loses the thread of a longer function (``fit`` was 143 lines with its loop, its checks
    and its bookkeeping in one body): split it where the thread breaks."""
    import ast

    long = []
    for p in SOURCES:
        for node in ast.walk(ast.parse(p.read_text(), str(p))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            n = node.end_lineno - node.lineno + 1
            if n > 80:
                long.append(f"{p.relative_to(ROOT)}:{node.lineno} {node.name} ({n} lines)")
    assert not long, long
