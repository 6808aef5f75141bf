# shellcheck shell=bash
# Helpers shared by tools/kafka, tools/redis and tools/test. Sourced, never run: callers set `set -euo pipefail` and
# `hookd_tool` (the prefix of every message) before sourcing.

# hookd_tool is set by the caller; the directories are used by the callers.
# shellcheck disable=SC2034,SC2154
hookd_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
hookd_state_dir="${HOOKD_STATE_DIR:-${hookd_root}/var}"
hookd_cache_dir="${HOOKD_CACHE:-${HOME}/.cache/hookd}"

# Messages go to stderr so that `env` output on stdout stays machine-readable.
hookd_say() { printf '%s: %s\n' "${hookd_tool}" "$*" >&2; }

hookd_die() {
  hookd_say "ERROR: $*"
  exit 1
}

# Builds targets $2... in build directory $1 with ninja, showing progress: on a terminal ninja's own status line; in a
# log (CI, a pipe) one line per tenth of the build, plus every compiler message in full.
hookd_ninja() {
  local dir="$1"
  shift
  if [[ -t 1 ]]; then
    ninja -C "${dir}" "$@"
    return
  fi
  NINJA_STATUS='[%f/%t] ' ninja -C "${dir}" "$@" | awk -v tool="${hookd_tool}" '
    /^\[[0-9]+\/[0-9]+\] / {
      split(substr($1, 2), n, "/"); done = n[1] + 0; total = n[2] + 0
      tenth = total ? int(done * 10 / total) : 10
      if (tenth > shown || done == total) { printf "%s: build %d/%d steps (%d%%)\n", tool, done, total, done * 100 / total; fflush(); shown = tenth }
      next
    }
    /^ninja: no work to do/ { print tool ": build up to date"; next }
    /^ninja: Entering directory/ { next }
    { print; fflush() }'
}

# Prints the last lines of a log with a frame around them, for failures that only the service's log explains.
hookd_log_tail() {
  local file="$1" lines="${2:-40}"
  if [[ -s "${file}" ]]; then
    printf '%s: ---- last %s lines of %s ----\n' "${hookd_tool}" "${lines}" "${file}" >&2
    tail -n "${lines}" "${file}" >&2
    printf '%s: ---- end of %s ----\n' "${hookd_tool}" "${file}" >&2
  else
    hookd_say "(${file} is empty or missing)"
  fi
}

# True if something accepts TCP connections on 127.0.0.1:$1.
hookd_port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Prints the first port from $1 upwards (at most $2 candidates) on which nothing listens and the next $3-1 ports are
# free too. The check races with other processes, so callers must still handle a failed bind.
hookd_free_port() {
  local base="$1" tries="$2" width="${3:-1}" port i ok
  for ((port = base; port < base + tries; port += width)); do
    ok=1
    for ((i = 0; i < width; i++)); do
      if hookd_port_open "$((port + i))"; then
        ok=0
        break
      fi
    done
    if ((ok)); then
      printf '%s\n' "${port}"
      return 0
    fi
  done
  return 1
}

# Serializes "pick a free port, start a server on it" across every hookd checkout on the machine, so that two test
# runs starting at once do not pick the same port. Held until the server has bound its ports; servers started while
# it is held must not inherit the descriptor (`{hookd_port_lock_fd}>&-`), or the lock would live as long as they do.
hookd_port_lock() {
  exec {hookd_port_lock_fd}>"${TMPDIR:-/tmp}/hookd-ports.lock"
  flock -w 120 "${hookd_port_lock_fd}" || hookd_die "waited 120s for ${TMPDIR:-/tmp}/hookd-ports.lock"
}

hookd_port_unlock() {
  if [[ -n "${hookd_port_lock_fd:-}" ]]; then
    exec {hookd_port_lock_fd}>&-
    hookd_port_lock_fd=""
  fi
}

# Prints the pid recorded in pidfile $1 if that process is alive and its command line contains $2 (a pid alone may
# have been reused by an unrelated process since the service died).
hookd_live_pid() {
  local pidfile="$1" needle="$2" pid
  [[ -s "${pidfile}" ]] || return 1
  pid="$(<"${pidfile}")"
  [[ "${pid}" =~ ^[0-9]+$ ]] || return 1
  kill -0 "${pid}" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/${pid}/cmdline" 2>/dev/null | grep -qF -- "${needle}" || return 1
  printf '%s\n' "${pid}"
}

# True while process $1 exists and is not a zombie: an exited service may wait a while for init to reap it, and
# callers only care that it no longer runs.
hookd_alive() {
  kill -0 "$1" 2>/dev/null && [[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != "Z" ]]
}

# Sends SIGTERM to $1, waits up to $2 seconds for it to exit, then SIGKILLs it. Returns once the process is gone.
hookd_terminate() {
  local pid="$1" grace="$2" waited=0
  kill -TERM "${pid}" 2>/dev/null || return 0
  while hookd_alive "${pid}"; do
    if ((waited == grace * 20)); then  # 20 polls of 50 ms a second
      hookd_say "pid ${pid} ignored SIGTERM for ${grace}s; sending SIGKILL"
      kill -KILL "${pid}" 2>/dev/null || true
    fi
    sleep 0.05
    waited=$((waited + 1))
  done
}

# Milliseconds since the epoch, for the timing summaries.
hookd_now_ms() {
  local ns
  ns="$(date +%s%N)"
  printf '%s\n' "$((ns / 1000000))"
}
