#!/usr/bin/env bash
# Runs every test. Installs the pinned Claude Code CLI into ./node_modules first when it is missing
# (the tests drive the real CLI against a scripted model server).
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x node_modules/.bin/claude ] && [ -z "${AGOR_CLAUDE_PATH:-}" ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
exec dotnet test Agor.slnx "$@"
