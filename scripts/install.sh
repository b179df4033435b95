#!/bin/sh
# Install edi-mesh into a Python environment: the single install step that both
# `make install` (Makefile, $(STAMP) rule) and the Dockerfile run.
#
# usage: scripts/install.sh [--editable] [--python PYTHON] [--dry-run] [EXTRAS]
#   --editable      install in development mode (pip install -e)
#   --python PATH   interpreter whose environment receives the install (default: python3)
#   --dry-run       print the pip command instead of running it
#   EXTRAS          comma-separated extras of pyproject.toml, e.g. dev,bench (default: none)
set -eu

python=python3
editable=""
dry_run=""
while [ $# -gt 0 ]; do
  case "$1" in
    -e|--editable) editable="-e"; shift ;;
    --python) python="$2"; shift 2 ;;
    --dry-run) dry_run=1; shift ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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

if [ -n "$dry_run" ]; then
  echo "$python -m pip install --quiet $editable $target" | tr -s ' '
  exit 0
fi
# $editable is empty or -e: left unquoted on purpose so an empty value adds no argument.
# shellcheck disable=SC2086
exec "$python" -m pip install --quiet $editable "$target"
