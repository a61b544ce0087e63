#!/usr/bin/env bash
# Install Debian packages the tests need (a browser, servers, a CJK font for
# the browser's screenshots) when their command, or file, is missing.
# Usage: system-packages.sh COMMAND=PACKAGE|/FILE=PACKAGE ...
# Nothing is installed when every command is already there.
set -euo pipefail
missing=()
for pair in "$@"; do
    cmd="${pair%%=*}"; pkg="${pair#*=}"
    # PostgreSQL's server programs live outside PATH, under /usr/lib/postgresql/<version>/bin.
    [[ "$cmd" == /* ]] && { [ -e "$cmd" ] || missing+=("$pkg"); continue; }
    command -v "$cmd" >/dev/null 2>&1 || compgen -G "/usr/lib/postgresql/*/bin/$cmd" >/dev/null || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing Debian packages: ${missing[*]}" >&2
as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
