"""Source-level checks for defects a test of behaviour cannot see until a server log fills up."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [
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


PAGES = sorted((ROOT / "latentlab" / "ui" / "pages").glob("*.py"))


def _module_level_code(tree) -> list[str]:
    """The statements of a page module that run on import besides defining things: anything but the
    docstring, imports, definitions, UPPER_CASE constants that call nothing of Streamlit's, and the one
    closing ``main()``."""
    import ast

    body = list(tree.body)
    if body and isinstance(body[-1], ast.Expr) and ast.unparse(body[-1]) == "main()":
        body.pop()
    else:
        return ["does not end with main()"]
    bad = []
    for i, node in enumerate(body):
        if i == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the docstring
        if isinstance(node, ast.Import | ast.ImportFrom | ast.FunctionDef | ast.ClassDef):
            continue
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            constant = all(isinstance(t, ast.Name) and t.id.isupper() for t in targets)
            if constant and "st." not in ast.unparse(node.value):
                continue
        bad.append(f"line {node.lineno}: {ast.unparse(node).splitlines()[0][:80]}")
    return bad


def test_no_page_has_module_level_code_beyond_main():
    """A page is a function: importing it defines things, and ``main()`` draws it, one function per
    section; module-level code shared its variables with every function below it by accident."""
    import ast

    found = {p.name: bad for p in PAGES if (bad := _module_level_code(ast.parse(p.read_text())))}
    assert len(PAGES) >= 13 and not found, found


def _state_prefix(tree) -> str | None:
    import ast

    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and any(ast.unparse(b) == "PageState" for b in node.bases):
            for stmt in node.body:
                if isinstance(stmt, ast.Assign) and ast.unparse(stmt.targets[0]) == "prefix":
                    return stmt.value.value
    return None


def test_no_session_state_key_is_spelled_outside_its_pages_state_class():
    """A page names each of its session-state keys once, in its state class (latentlab.ui.state.
    PageState): a key spelled in two places drifts (a widget's key and the URL mirror's differed once).
    Checked: every string (or f-string's text) that starts with the page's prefix, outside that class
    (a container's key, a CSS hook, excepted), and every literal key read from or written to
    ``st.session_state`` directly."""
    import ast

    found = []
    for p in PAGES:
        tree = ast.parse(p.read_text())
        prefix = _state_prefix(tree)
        if prefix is None:
            found.append(f"{p.name}: no PageState subclass")
            continue
        inside = {
            id(n)
            for c in ast.walk(tree)
            if isinstance(c, ast.ClassDef) and any(ast.unparse(b) == "PageState" for b in c.bases)
            for n in ast.walk(c)
        }
        # A container's key is a CSS hook for tests (st-key-…), not session state.
        inside |= {
            id(kw.value)
            for c in ast.walk(tree)
            if isinstance(c, ast.Call) and ast.unparse(c.func).endswith("container")
            for kw in c.keywords
            if kw.arg == "key"
        }
        for node in ast.walk(tree):
            if id(node) in inside:
                continue
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if node.value.lstrip("_").startswith(prefix + "_"):
                    found.append(f"{p.name}:{node.lineno} {node.value!r}")
            elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "st.session_state":
                if isinstance(node.slice, ast.Constant | ast.JoinedStr):
                    found.append(f"{p.name}:{node.lineno} {ast.unparse(node)}")
            elif isinstance(node, ast.Call) and ast.unparse(node.func).startswith("st.session_state."):
                if node.args and isinstance(node.args[0], ast.Constant | ast.JoinedStr):
                    found.append(f"{p.name}:{node.lineno} {ast.unparse(node)[:80]}")
    assert not found, found
