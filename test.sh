#!/usr/bin/env bash
# Runs every test. Installs the pinned Claude Code CLI into ./node_modules first when it is missing
# (the tests drive the real CLI against a scripted model server). Afterwards the machine must be as
# the tests found it: the same users, sudoers rules, installed executors, AppArmor profiles and task
# cgroups as before (AGOR_MACHINE_CHECK=0 skips that comparison, for a machine other runs share).
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x node_modules/.bin/claude ] && [ -z "${AGOR_CLAUDE_PATH:-}" ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

machine_state() {
  getent passwd | cut -d: -f1 | sort | sed 's/^/user /'
  find /etc/sudoers.d -mindepth 1 2>/dev/null | sort || true
  find /usr/local/lib/agor 2>/dev/null | sort || true
  find /etc/apparmor.d -maxdepth 1 -name 'agor*' 2>/dev/null | sort || true
  find /sys/fs/cgroup -mindepth 1 -maxdepth 8 -type d \( -path '*/agor/*' -o -name daemon -o -name tasks \) 2>/dev/null | sort || true
}

check="${AGOR_MACHINE_CHECK:-1}"
[ "$check" = 0 ] || before="$(machine_state)"
status=0
dotnet test Agor.slnx "$@" || status=$?
if [ "$check" != 0 ]; then
  after="$(machine_state)"
  if [ "$before" != "$after" ]; then
    echo "test.sh: the tests left this machine changed ('<' was there before only, '>' is there now only):" >&2
    diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") >&2 || true
    echo "test.sh: each test must remove the users, sudoers files, installed files and cgroups it makes, also when it fails" >&2
    [ "$status" -ne 0 ] || status=1
  fi
fi
exit "$status"
