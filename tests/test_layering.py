"""The layers hold: the folder tells what a module may import (ARCHITECTURE.md).

Two installed import names: aecore, the library, and latentlab, the app. aecore is torch + numpy:
importing every one of its modules in a fresh interpreter loads neither Streamlit nor plotly;
latentlab.figures and latentlab.server never load Streamlit; nothing imports the layer above it, no
module imports itself back through others, and no file edits sys.path. Checked in a subprocess: this
test process has long imported everything."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_PROBE = """
import importlib, json, pkgutil, sys
pkg = importlib.import_module({pkg!r})
names = [pkg.__name__]
for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
    if not info.name.endswith("__main__"):  # runs the CLI
        importlib.import_module(info.name)
        names.append(info.name)
print(json.dumps({{"modules": names, "loaded": sorted({{m.split(".")[0] for m in sys.modules}}),
                   "ui": sorted(m for m in sys.modules if m.startswith("latentlab.ui"))}}))
"""


def _import_all(pkg: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE.format(pkg=pkg)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_installed_import_names_are_exactly_aecore_and_latentlab():
    """What ``pip install`` puts on the path (pyproject.toml's packages): the library and the app, and
    nothing named like another project (``web``) or test code (``labtools``)."""
    import tomllib

    from setuptools import find_packages

    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    packages = find_packages(str(ROOT), include=cfg["include"])
    assert {p.split(".")[0] for p in packages} == {"aecore", "latentlab"}, packages
    assert {"latentlab.figures", "latentlab.server", "latentlab.ui", "latentlab.ui.components"} <= set(packages)
    # No stray package beside them that an import could still find (a leftover web/ or ui/ folder).
    assert not [p for p in ("web", "ui") if (ROOT / p / "__init__.py").exists()]


def test_importing_every_aecore_module_loads_neither_streamlit_nor_plotly():
    got = _import_all("aecore")
    assert len(got["modules"]) > 25  # really walked the sub-packages
    assert {"aecore.analysis.density", "aecore.storage.files", "aecore.training.fit"} <= set(got["modules"])
    assert not {"streamlit", "plotly", "latentlab"} & set(got["loaded"]), got["loaded"]


def test_figures_and_server_never_load_streamlit():
    for pkg, some in (
        ("latentlab.figures", "latentlab.figures.manifold"),
        ("latentlab.server", "latentlab.server.plane"),
    ):
        got = _import_all(pkg)
        assert len(got["modules"]) > 5 and some in got["modules"]  # really walked it
        assert "streamlit" not in got["loaded"] and not got["ui"], (pkg, got["loaded"], got["ui"])


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, by its full name (``a.b`` for ``from a.b import c``)."""
    tree = ast.parse(path.read_text(), str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_arrows_point_down_and_nothing_edits_sys_path():
    """Static check of every source file, lazy imports inside functions included (a subprocess
    import only sees the module-level ones)."""
    forbidden = {
        "aecore": ("streamlit", "plotly", "latentlab", "labtools"),
        "latentlab/figures": ("streamlit", "latentlab.ui", "latentlab.server", "labtools"),
        "latentlab/server": ("streamlit", "latentlab.ui", "labtools"),
        "latentlab/ui": ("labtools",),
        "bench": ("tests",),
    }
    bad = []
    for folder, never in forbidden.items():
        for f in sorted((ROOT / folder).rglob("*.py")):
            hit = sorted(m for m in _imports(f) if any(m == n or m.startswith(n + ".") for n in never))
            if hit:
                bad.append(f"{f.relative_to(ROOT)} imports {hit}")
    assert not bad, bad
    needle = "sys.path." + "insert"  # split, so this file does not match itself
    edits = [
        str(f.relative_to(ROOT))
        for f in ROOT.rglob("*.py")
        if not {".git", "out", "static", "node_modules"} & set(f.relative_to(ROOT).parts) and needle in f.read_text()
    ]
    assert not edits, edits


#: aecore's sub-packages, in the order ARCHITECTURE.md draws them: each may import only those left of
#: it (and storage/files.py, the leaf every one may use: folders and the one atomic writer).
AECORE_ORDER = ["data", "models", "storage", "training", "analysis", "lecture"]


def _module_imports(f: Path) -> set[str]:
    """Every project module ``f`` imports (lazy imports inside functions too): ``a.b`` for ``import a.b``,
    and ``a.b.c`` as well as ``a.b`` for ``from a.b import c``."""
    out = set()
    for node in ast.walk(ast.parse(f.read_text(), str(f))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
    return out


def test_aecore_sub_packages_import_only_to_their_left():
    bad = []
    for f in sorted((ROOT / "aecore").rglob("*.py")):
        rel = f.relative_to(ROOT / "aecore").parts
        if len(rel) < 2 or rel[0] not in AECORE_ORDER:
            continue  # aecore/errors.py, names.py, cli.py: beside the line
        allowed = set(AECORE_ORDER[: AECORE_ORDER.index(rel[0]) + 1])
        for m in _module_imports(f):
            p = m.split(".")
            if p[0] == "aecore" and len(p) > 1 and p[1] in AECORE_ORDER and p[1] not in allowed:
                if m.startswith("aecore.storage.files"):
                    continue
                bad.append(f"{f.relative_to(ROOT)} imports {m}")
    assert not bad, bad


def test_no_import_cycles_between_the_apps_modules():
    """Module by module, lazy imports included: a cycle (a imports b, b imports a, however deep) means
    neither can be read, tested or moved alone. Tarjan's strongly connected components."""
    mods = {}
    for top in ("aecore", "latentlab"):
        for f in (ROOT / top).rglob("*.py"):
            name = ".".join(f.relative_to(ROOT).with_suffix("").parts)
            mods[name.removesuffix(".__init__")] = f
    graph = {m: {i for i in _module_imports(f) if i in mods and i != m} for m, f in mods.items()}
    assert len(graph) > 90 and graph["latentlab.server.queue"] >= {
        "latentlab.server.jobs",
        "latentlab.server.cluster",
    }  # really read them
    index, low, stack, on, cycles = {}, {}, [], set(), []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while not comp or comp[-1] != v:
                comp.append(stack.pop())
                on.discard(comp[-1])
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    assert not cycles, cycles
