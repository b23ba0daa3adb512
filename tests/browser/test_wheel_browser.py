"""The installable distribution, end to end: build the wheel, install it into a fresh virtual
environment, run ``latent-lab`` from an empty folder; the app's health check answers and the first
page draws its plane, served from the installed copy (labtools/package.py says how this stays offline).
The wheel's size and contents go to out/wheel.json."""

from __future__ import annotations

import json
import os
import subprocess
import zipfile

from labtools.browser import ROOT, assert_no_error, free_port, server_process, wait_for_app, wait_for_map
from labtools.package import build_wheel, fresh_venv, top_level_names

#: PyPI refuses a file over 100 MB unless a project asks for more.
PYPI_LIMIT_MB = 100


def test_the_wheel_installs_and_its_command_serves_the_app_from_an_empty_folder(tmp_path, browser, app_env):
    wheel = build_wheel(tmp_path / "build")
    size_mb = wheel.stat().st_size / 1e6
    names = zipfile.ZipFile(wheel).namelist()
    assert top_level_names(wheel) == {"aecore", "latentlab"}  # no labtools, tests, web, ui…
    assert any(n.endswith("aecore/checkpoints/mnist-ae-2d.safetensors") for n in names)
    assert any(n.endswith("latentlab/ui/components/latent_plane/plane.js") for n in names)
    assert not any("/app/static/" in n and not n.endswith(".gitignore") for n in names), "generated files shipped"
    assert size_mb < PYPI_LIMIT_MB, f"the wheel is {size_mb:.1f} MB"
    (ROOT / "out").mkdir(exist_ok=True)
    (ROOT / "out" / "wheel.json").write_text(
        json.dumps({"wheel": wheel.name, "mb": round(size_mb, 1), "files": len(names)})
    )

    bin_dir = fresh_venv(tmp_path / "venv", wheel)
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {**app_env, "PATH": f"{bin_dir}:/usr/bin:/bin"}
    env |= {k: v for k, v in os.environ.items() if k in ("HOME", "AECORE_DATA", "LATENTLAB_CACHE", "XDG_CACHE_HOME")}
    info = subprocess.run(
        [str(bin_dir / "latent-lab"), "list"], cwd=empty, env=env, capture_output=True, text=True, timeout=300
    )
    assert info.returncode == 0 and "mnist-ae-2d" in info.stdout, info.stderr[-2000:]

    port = free_port()
    cmd = [str(bin_dir / "latent-lab"), "app", "--port", str(port), "--server.address", "127.0.0.1"]
    with server_process(cmd, f"http://127.0.0.1:{port}/_stcore/health", tmp_path / "app.log", cwd=empty, env=env):
        ctx = browser.new_context(viewport={"width": 1280, "height": 800})
        try:
            page = ctx.new_page()
            page.goto(f"http://127.0.0.1:{port}/")
            wait_for_app(page, timeout=240_000)
            assert wait_for_map(page) > 0
            assert_no_error(page)
        finally:
            ctx.close()
    # The installed copy served the plane: its files were written beside the installed script.
    site = next((tmp_path / "venv").glob("lib/python*/site-packages/latentlab/app/static"))
    assert list(site.glob("maps/*")) or list(site.glob("components/*.js")), "nothing served from the install"
    assert not list(empty.iterdir()), "the app wrote into the folder it was started from"
