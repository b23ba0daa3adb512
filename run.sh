#!/usr/bin/env bash
# Latent Lab's one entry point on a fresh machine.
#   ./run.sh app     install (once, cached) and start the app: latent-lab app (latentlab/cli.py)
#   ./run.sh test    install (once, cached) and run the whole test suite
#   ./run.sh serve --replicas N   a lecture hall: N app processes behind HAProxy on one port
#   ./run.sh test-cpus   the demo-result tests under every CPU kernel torch has, 1 and 2 threads
# The virtual environment lives outside the clone, keyed by a hash of requirements.txt, so a
# second run (or a fresh clone on the same machine) starts in seconds.
set -euo pipefail
cd "$(dirname "$0")"

PY=$(command -v python3.11 || command -v python3)
# sha256sum (Linux) or shasum (macOS): the environment's key is the same hash on both.
if command -v sha256sum >/dev/null; then HASH=$(sha256sum requirements.txt | cut -c1-12)
else HASH=$(shasum -a 256 requirements.txt | cut -c1-12); fi
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/latent-lab"
VENV="${LATENTLAB_VENV:-$CACHE/venv-$HASH}"

if [ ! -f "$VENV/.complete" ]; then
  echo "[run.sh] creating the virtual environment in $VENV (first run: ~2 minutes, ~5 GB)" >&2
  rm -rf "$VENV"
  mkdir -p "$(dirname "$VENV")"
  "$PY" -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip >/dev/null 2>&1 || true
  "$VENV/bin/pip" install -q -r requirements.txt
  touch "$VENV/.complete"   # written last: an interrupted install is rebuilt next time
fi
export PATH="$VENV/bin:$PATH"

# This clone, installed editable (pyproject.toml): its packages import from anywhere, so no script
# edits sys.path. The environment is shared by every clone with the same requirements.txt, so it
# points at one clone at a time: the one whose run.sh ran last (re-pointing takes ~3 s, only when
# it changes). Processes started in a clone's root (the app, pytest) import that clone first anyway.
if [ "$(cat "$VENV/.clone" 2>/dev/null)" != "$PWD" ]; then
  pip install -q --no-deps --no-build-isolation -e . >"$VENV/.clone.log" 2>&1 || { cat "$VENV/.clone.log" >&2; exit 1; }
  echo "$PWD" > "$VENV/.clone"
fi

# Real copies of MNIST / Fashion-MNIST beside the clone (tests, benchmarks), unless set already.
if [ -z "${AECORE_DATA:-}" ] && [ -d ../shared/data ]; then
  export AECORE_DATA="$(cd ../shared/data && pwd)"
fi

cmd="${1:-app}"; shift || true
case "$cmd" in
  app)
    # The same entry point as an installed copy's `latent-lab app` (latentlab/cli.py).
    exec python -m latentlab app "$@" ;;
  test)
    # Browser tests drive Debian's Chromium; install it once if it is missing (needs root + apt).
    # The lecture-hall tests put HAProxy (Debian's package) in front of two app processes.
    missing=()
    [ -x /usr/bin/chromium ] || missing+=(chromium)
    command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
    # The plane's JavaScript unit tests run on Node's own test runner (tests/test_js_units.py);
    # eslint and tsc come from npm, pinned by package-lock.json.
    command -v node >/dev/null || missing+=(nodejs)
    command -v npm >/dev/null || missing+=(npm)
    if [ ${#missing[@]} -gt 0 ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
      echo "[run.sh] installing ${missing[*]} for the browser tests" >&2
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}") >/dev/null
    elif [ ${#missing[@]} -gt 0 ]; then
      # No apt (macOS, another Linux) or not root: say what is missing rather than fail on apt.
      echo "[run.sh] missing for the browser and JavaScript tests: ${missing[*]}. Install them with your" \
           "package manager (macOS: brew install node haproxy; the browser tests drive Chromium at /usr/bin/chromium)." >&2
    fi
    # eslint and typescript, exactly as package-lock.json pins them (once; again when the lock changes).
    if command -v npm >/dev/null && ! cmp -s package-lock.json node_modules/.lock-installed 2>/dev/null; then
      echo "[run.sh] installing the JavaScript checkers (npm ci: eslint, typescript)" >&2
      npm ci --no-audit --no-fund --loglevel=error >/dev/null && cp package-lock.json node_modules/.lock-installed
    fi
    # Lint and format first: a style error fails the run (and CI) before any test starts.
    ruff check . && ruff format --check . || { echo "[run.sh] ruff: fix the above (ruff check --fix; ruff format)" >&2; exit 1; }
    exec python -m pytest -q "$@" ;;
  test-cpus)
    # A lecturer's laptop is just another CPU: torch picks other kernels there (AVX2, AVX-512 or
    # none), and the same seed trains along another trajectory. Every demo whose point is a
    # qualitative result must still show it, so run those tests under each kernel this machine can
    # emulate and with 1 and 2 threads. Any failure fails the whole run.
    tests=(tests/test_manifold.py tests/test_sampling.py tests/test_denoise.py tests/test_anomaly.py
           tests/test_likelihood.py tests/test_train.py tests/test_priors.py tests/test_judge.py
           tests/test_rate_distortion.py tests/test_vq.py tests/test_sae.py tests/test_probes.py
           tests/test_disentangle.py tests/test_factors.py)
    native=$(python -c "import torch; print(torch.backends.cpu.get_cpu_capability().lower())")
    status=0
    for cap in $(printf '%s\n' default avx2 "$native" | awk '!seen[$0]++'); do
      for threads in 1 2; do
        echo "[run.sh] ATEN_CPU_CAPABILITY=$cap OMP_NUM_THREADS=$threads" >&2
        ATEN_CPU_CAPABILITY=$cap OMP_NUM_THREADS=$threads python -m pytest -q -p no:cacheprovider "${tests[@]}" "$@" || status=1
      done
    done
    exit $status ;;
  serve)
    # A lecture hall: several app processes behind HAProxy on one port (latentlab/server/serve.py says how).
    if ! command -v haproxy >/dev/null && [ ! -x /usr/sbin/haproxy ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
      echo "[run.sh] installing haproxy (Debian's package) for ./run.sh serve" >&2
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy) >/dev/null
    fi
    exec python -m latentlab serve "$@" ;;
  python)
    # The clone's root on the path: benchmarks and scripts import labtools (test helpers, not installed).
    export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
    exec python "$@" ;;
  *)
    echo "usage: ./run.sh app | serve [--replicas N] [--port P] | test [pytest args] | test-cpus [pytest args] | python [args]" >&2; exit 2 ;;
esac
