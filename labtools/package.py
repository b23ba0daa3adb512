"""The installable distribution, as a person gets it: build the wheel from a copy of the clone's
sources, install it into a fresh virtual environment, run its ``latent-lab`` command.

Offline: the fresh environment installs only the wheel (``--no-deps --no-index``) and then sees the
project's environment's packages (torch, Streamlit… ~6.5 GB that nobody downloads twice) through a
``.pth`` line added *after* the install, so that pip never sees the clone's editable install. That
path line is read as a plain folder, not as a site folder: the editable install's own ``.pth`` hooks
there never run, so ``import latentlab`` in the fresh environment is the wheel's copy.
"""

from __future__ import annotations

import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: What the wheel is built from: the two packages and the project's metadata (no tests, no labtools).
SOURCES = ("aecore", "latentlab", "pyproject.toml", "README.md")
#: Never copied: bytecode. (The app's static/ files, written by a running app, are removed after the copy.)
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")


def build_wheel(out: Path) -> Path:
    """Build the project's wheel into ``out`` from a copy of its sources (an in-place build would
    write ``build/`` into the clone); its path."""
    src = out / "src"
    for name in SOURCES:
        p = ROOT / name
        if p.is_dir():
            shutil.copytree(p, src / name, ignore=IGNORED)
        else:
            shutil.copy2(p, src / name)
    for generated in (src / "latentlab" / "app" / "static").glob("*/*"):
        if generated.name != ".gitignore":
            generated.unlink()
    dist = out / "dist"
    cmd = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(dist), str(src)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=600)
    (wheel,) = dist.glob("latent_lab-*.whl")
    return wheel


def top_level_names(wheel: Path) -> set[str]:
    """The import names a wheel installs: its top-level folders and modules, not its metadata."""
    with zipfile.ZipFile(wheel) as z:
        tops = {n.split("/")[0] for n in z.namelist()}
    return {t.removesuffix(".py") for t in tops if not t.endswith((".dist-info", ".data"))}


def fresh_venv(where: Path, wheel: Path) -> Path:
    """A new virtual environment at ``where`` with ``wheel`` installed (nothing else downloaded; the
    dependencies come from this environment, see the module's docstring); its ``bin`` folder."""
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True, capture_output=True, timeout=300)
    bin_dir = where / ("Scripts" if sys.platform == "win32" else "bin")
    py = bin_dir / "python"
    subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    target = subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(target) / "latent-lab-deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    return bin_dir
