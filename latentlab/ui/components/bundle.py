"""The components' JavaScript as the browser runs it, without Streamlit: each component's ES modules
joined into one module (:func:`join_modules`), for the app (``static_js`` serves them), the page to
share (``latentlab/ui/share.py``) and the notebook widget (``latentlab/ui/notebook.py``): one plane
component, three hosts.
"""

from __future__ import annotations

import re
from pathlib import Path

# Helpers every component module uses (fetch-once cache, mount-per-element): put in front of each
# module's own code, so each served module stays one self-contained file.
COMPONENTS = Path(__file__).resolve().parent
SHARED_JS = (COMPONENTS / "shared.js").read_text(encoding="utf-8")

# A module's imports of its siblings (one line each: `import { a, b } from "./x.js";`). In the joined
# file every module's top-level names already share one scope, so these lines are dropped.
_LOCAL_IMPORT = re.compile(
    r"""^import\s+(?:\{[^}]*\}|\*\s+as\s+\w+|\w+)\s+from\s+["'](\.{1,2}/[^"']+)["'];?[ \t]*$""", re.M
)


def join_modules(folder: Path, files: tuple[str, ...] | list[str]) -> str:
    """shared.js, then ``folder/files`` in their order, as one ES module: the files are real modules
    (each imports what it uses from its siblings, so Node's test runner, eslint and tsc read them
    alone), joined with those imports removed. They then share one scope: functions are hoisted, so
    modules may import each other in a cycle, but a module whose top-level code uses another's
    constant must come after it. Every import must name a joined file (or ``../shared.js``): a missing
    one raises ``ValueError`` here, not a ReferenceError in a browser."""
    paths = [(folder / f).resolve() for f in files]
    joined = {(COMPONENTS / "shared.js").resolve(), *paths}
    out = [SHARED_JS]
    for path in paths:
        src = path.read_text(encoding="utf-8")
        for target in _LOCAL_IMPORT.findall(src):
            if (path.parent / target).resolve() not in joined:
                raise ValueError(f"{path.name} imports {target}, which is not joined")
        if any(" as " in m.group(0) for m in _LOCAL_IMPORT.finditer(src)):
            raise ValueError(f"{path.name}: a renamed import (`as`) cannot be joined: the names share one scope")
        body = _LOCAL_IMPORT.sub("", src)
        if re.search(r"^import\s", body, re.M):
            raise ValueError(f"{path.name}: only imports of sibling modules can be joined")
        out.append(body)
    return "\n".join(out)


#: The latent plane's modules, in joining order: geometry.js and decoder.js (no DOM: unit-tested by
#: node) and keyboard.js (keys, accessible names) go in front of plane.js; testing.js last.
PLANE_DIR = COMPONENTS / "latent_plane"
PLANE_JS = (
    "geometry.js",
    "view.js",
    "decoder.js",
    "state.js",
    "keyboard.js",
    "render.js",
    "legend.js",
    "markers.js",
    "pointer.js",
    "selection.js",
    "plane.js",
    "testing.js",
)
#: The notebook widget's entry point (anywidget), joined after the plane's modules in its bundle only.
PLANE_WIDGET_JS = "widget.js"


def plane_module() -> str:
    """The plane component's one module, as the app serves it (its default export mounts a plane)."""
    return join_modules(PLANE_DIR, PLANE_JS)


def plane_css() -> str:
    return (PLANE_DIR / "plane.css").read_text(encoding="utf-8")


def plane_widget_module() -> str:
    """The plane as an anywidget module: the same modules, then widget.js, whose default export (the
    widget's ``render``) replaces plane.js's (Streamlit's mount function)."""
    code = join_modules(PLANE_DIR, (*PLANE_JS, PLANE_WIDGET_JS))
    mount = "export default mountPlane;"
    if code.count(mount) != 1:
        raise ValueError("plane.js must end its module with `export default mountPlane;`")
    return code.replace(mount, "")
