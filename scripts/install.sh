#!/bin/sh
# Install edi-mesh into a Python environment: the single install step that both
# `make install` (Makefile, $(STAMP) rule) and the Dockerfile run.
#
# usage: scripts/install.sh [--editable] [--python PYTHON] [--dry-run] [EXTRAS]
#   --editable      install in development mode (pip install -e)
#   --python PATH   interpreter whose environment receives the install (default: python3)
#   --dry-run       print the pip commands instead of running them
#   --no-core       skip the compiled parser core (core/, Rust): pure Python only
#   --core-wheels D install the core from a wheel in directory D (the Dockerfile's core stage)
#   EXTRAS          comma-separated extras of pyproject.toml, e.g. dev,bench (default: none)
# The core is built (maturin, from PyPI) when cargo is on PATH; without cargo the
# install goes on in pure Python and says so (parsers/accel.py picks what is there).
set -eu

python=python3
editable=""
dry_run=""
core=1
wheels=""
while [ $# -gt 0 ]; do
  case "$1" in
    -e|--editable) editable="-e"; shift ;;
    --python) python="$2"; shift 2 ;;
    --dry-run) dry_run=1; shift ;;
    --no-core) core=""; shift ;;
    --core-wheels) wheels="$2"; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "install.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
if [ $# -gt 1 ]; then
  echo "install.sh: one EXTRAS argument at most (comma-separated)" >&2
  exit 2
fi
extras="${1:-}"

root="$(cd "$(dirname "$0")/.." && pwd)"
target="$root"
if [ -n "$extras" ]; then
  target="$root[$extras]"
fi

if [ -n "$wheels" ]; then
  core_target="--no-index --find-links $wheels edi-mesh-core"
elif [ -n "$core" ] && command -v cargo >/dev/null 2>&1; then
  core_target="$root/core"
else
  core_target=""
  [ -z "$core" ] || echo "install.sh: cargo not found: the parser core (core/, Rust) is skipped; edi-mesh runs in pure Python" >&2
fi
if [ -n "$dry_run" ]; then
  [ -z "$core_target" ] || echo "$python -m pip install --quiet $core_target"
  echo "$python -m pip install --quiet $editable $target" | tr -s ' '
  exit 0
fi
if [ -n "$core_target" ]; then
  # A failed core build leaves a working pure-Python install: say so, do not fail.
  # $core_target is unquoted on purpose: it may be several pip arguments.
  # shellcheck disable=SC2086
  if ! "$python" -m pip install --quiet $core_target; then
    echo "install.sh: installing the parser core failed; edi-mesh runs in pure Python" >&2
  fi
fi
# $editable is empty or -e: left unquoted on purpose so an empty value adds no argument.
# shellcheck disable=SC2086
exec "$python" -m pip install --quiet $editable "$target"
