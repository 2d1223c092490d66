# Sourced by the scripts: make ./.venv (Python 3.11+) and install the project into it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

python_bin="${PYTHON:-}"
if [ -z "$python_bin" ]; then
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      python_bin="$candidate"
      break
    fi
  done
fi
if [ -z "$python_bin" ]; then
  echo "csm-graphql needs Python 3.11 or newer (set PYTHON=/path/to/python)." >&2
  exit 1
fi

if [ ! -x .venv/bin/python ]; then
  "$python_bin" -m venv .venv
fi
# Reinstall only when the dependencies changed, so repeated runs start fast.
stamp=.venv/.installed-$(cat pyproject.toml | cksum | cut -d' ' -f1)-${1:-dev}
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".[${1:-dev}]"
  rm -f .venv/.installed-*
  touch "$stamp"
fi
