#!/usr/bin/env bash
# One-time, idempotent set-up: system packages, a virtual env in .venv, anyclr installed editable.
# Re-runs are cheap: pip is skipped while pyproject.toml and this script are unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
EXTRAS=${ANYCLR_EXTRAS:-image,timeseries,graph,events,audio,dev}
# The torch pair served from local disk here (a CUDA build that also runs on CPU).
TORCH_PINS=${ANYCLR_TORCH_PINS:-"torch==2.14.1 torchvision==0.29.1"}

# open3d (the pointcloud extra) needs libusb at import time.
if [[ ",$EXTRAS," == *",pointcloud,"* || ",$EXTRAS," == *",all,"* ]]; then
  if ! ldconfig -p 2>/dev/null | grep -q libusb-1.0; then
    apt-get update -qq && apt-get install -y -qq libusb-1.0-0
  fi
fi

# The audio plug-in's bundled spoken digits are synthesised with espeak-ng (a Debian package).
if [[ ",$EXTRAS," == *",audio,"* || ",$EXTRAS," == *",all,"* ]]; then
  if ! command -v espeak-ng >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && apt-get install -y -qq espeak-ng) >/dev/null 2>&1 \
      || echo "note: could not install espeak-ng; the spoken-digits tests will skip" >&2
  fi
fi

# Fashion-MNIST ships as a Debian data package (IDX files); its recipe, test and benchmark read it there.
if [[ ! -d /usr/share/datasets/fashion-mnist ]] && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && apt-get install -y -qq dataset-fashion-mnist) >/dev/null 2>&1 \
    || echo "note: could not install dataset-fashion-mnist; its test will skip" >&2
fi

stamp="$VENV/.anyclr-setup"
want=$( (cat pyproject.toml scripts/setup.sh; cat examples/*/pyproject.toml 2>/dev/null || true) | sha256sum | cut -d" " -f1)-$EXTRAS
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && "$VENV/bin/python" -c "import anyclr" 2>/dev/null; then
  exit 0
fi

[[ -x "$VENV/bin/python" ]] || "$PYTHON" -m venv "$VENV"
pip_install() {
  # pip's cache is kept between runs (default ~/.cache/pip); its noise about local indexes is dropped.
  local log rc=0
  log=$(mktemp)
  "$VENV/bin/python" -m pip install -q "$@" >"$log" 2>&1 || rc=$?
  grep -v '^WARNING: Location' "$log" || true
  rm -f "$log"
  return $rc
}
pip_install $TORCH_PINS
# torchaudio without its dependencies, so pip never swaps the torch above (2.11 works with newer torch).
if [[ ",$EXTRAS," == *",audio,"* || ",$EXTRAS," == *",all,"* ]]; then
  pip_install --no-deps "${ANYCLR_TORCHAUDIO_PIN:-torchaudio==2.11.1}"
fi
pip_install -e ".[$EXTRAS]"
"$VENV/bin/python" -c "import anyclr, torch; print('anyclr set up with torch', torch.__version__)"
echo "$want" > "$stamp"
