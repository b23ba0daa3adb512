#!/usr/bin/env bash
# Latent Lab's one entry point on a fresh machine.
#   ./run.sh app     install (once, cached) and start the app: streamlit run app.py
#   ./run.sh test    install (once, cached) and run the whole test suite
# The virtual environment lives outside the clone, keyed by a hash of requirements.txt, so a
# second run (or a fresh clone on the same machine) starts in seconds.
set -euo pipefail
cd "$(dirname "$0")"

PY=$(command -v python3.11 || command -v python3)
HASH=$(sha256sum requirements.txt | cut -c1-12)
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

# Real copies of MNIST / Fashion-MNIST beside the clone (tests, benchmarks), unless set already.
if [ -z "${AECORE_DATA:-}" ] && [ -d ../shared/data ]; then
  export AECORE_DATA="$(cd ../shared/data && pwd)"
fi

cmd="${1:-app}"; shift || true
case "$cmd" in
  app)
    exec streamlit run app.py --server.headless true --browser.gatherUsageStats false "$@" ;;
  test)
    # Browser tests drive Debian's Chromium; install it once if it is missing (needs root + apt).
    if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
      echo "[run.sh] installing chromium for the browser tests" >&2
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null
    fi
    exec python -m pytest -q "$@" ;;
  python)
    exec python "$@" ;;
  *)
    echo "usage: ./run.sh app | test [pytest args] | python [args]" >&2; exit 2 ;;
esac
