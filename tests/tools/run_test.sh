#!/usr/bin/env bash
# tools/run as a newcomer uses it (the README's first command): start it, paste the curl it prints, see the event at
# the demo endpoint and in `hookctl deliveries`, follow the printed operator story (the down endpoint's delivery is
# dead-lettered, the endpoint recovers, the replay arrives), stop it, and find nothing it started still running.
#
#   tests/tools/run_test.sh HOOKD HOOKCTL DEMO_SINK     (ctest passes the binaries of the build under test)
#
# tools/run is given the built binaries (HOOKD_RUN_BINARIES), so it skips setup and its own Release build; all the
# rest is the script as users run it, with its own Redis and librdkafka's in-process cluster (its default).
set -euo pipefail

hookd_tool="run_test"
# shellcheck source=tools/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib/common.sh"

(($# == 3)) || hookd_die "usage: run_test.sh HOOKD HOOKCTL DEMO_SINK"
work="$(mktemp -d /tmp/hookd-run-test.XXXXXX)"
mkdir -p "${work}/bin" "${work}/state"
# Links under ${work}: every process tools/run starts from them has ${work} in its command line, which is how the
# end of this test finds anything left running.
ln -s "$(realpath "$1")" "${work}/bin/hookd"
ln -s "$(realpath "$2")" "${work}/bin/hookctl"
ln -s "$(realpath "$3")" "${work}/bin/hookd-demo-sink"
out="${work}/run.out"
sink_log="${work}/state/sink.log"
run_pid=""

cleanup() {
  local rc=$?
  if ((rc != 0)); then
    hookd_log_tail "${out}" 80
    hookd_log_tail "${work}/state/hookd.log" 40
  fi
  [[ -n "${run_pid}" ]] && kill -TERM "${run_pid}" 2>/dev/null && wait "${run_pid}" 2>/dev/null
  pkill -KILL -f "${work}/" 2>/dev/null || true
  HOOKD_STATE_DIR="${work}/state" "${hookd_root}/tools/redis" stop >/dev/null 2>&1 || true
  rm -rf "${work}"
  exit "${rc}"
}
trap cleanup EXIT

# Waits up to $1 seconds for command $2... to succeed.
wait_until() {
  local deadline=$(($(hookd_now_ms) + $1 * 1000))
  shift
  until "$@"; do
    (($(hookd_now_ms) < deadline)) || return 1
    sleep 0.2
  done
}

# Ports below the ephemeral range, so that no outgoing connection holds them; tools/run refuses ports in use.
base=$((20000 + RANDOM % 8000))
port="$(hookd_free_port "${base}" 200 2)" || hookd_die "no free ports"

unset HOOKD_REDIS_URL HOOKD_KAFKA_BROKERS HOOKD_RETRY_SCHEDULE HOOKD_MAX_ATTEMPTS
HOOKD_RUN_BINARIES="${work}/bin" HOOKD_STATE_DIR="${work}/state" HOOKD_PORT="${port}" \
  HOOKD_SINK_PORT="$((port + 1))" "${hookd_root}/tools/run" >"${out}" 2>&1 &
run_pid=$!

printed() { grep -q 'Ctrl-C stops hookd' "${out}"; }
wait_until 120 printed || hookd_die "tools/run did not print its instructions"

# 1. The printed curl, pasted as is.
# shellcheck disable=SC2016  # a literal $BODY: the line as printed
curl_block="$(sed -n '/^  BODY=/,/-d "\$BODY"/p' "${out}")"
[[ -n "${curl_block}" ]] || hookd_die "no curl command in tools/run's output"
answer="$(bash -c "${curl_block}")"
grep -q '^HTTP/1.1 200' <<<"${answer}" || hookd_die "the printed curl got: ${answer}"
grep -q '"event":"record:created"' <<<"${answer}" || hookd_die "no record:created event in: ${answer}"

delivered() { grep -q 'POST /webhooks  signature verified' "${sink_log}" 2>/dev/null; }
wait_until 60 delivered || hookd_die "the demo endpoint never got a verified delivery"
grep -Eq '"vendor_event_id": "[0-9a-f-]{36}"' "${sink_log}" || hookd_die "the event lacks the vendor's webhook id"

# The printed hookctl command lists it as succeeded.
hookctl_line() { grep -m 1 -F -- "$1" "${out}" | sed 's/^ *//'; }
list_cmd="$(hookctl_line 'hookctl deliveries')"
[[ "${list_cmd}" == *"hookctl deliveries" ]] || hookd_die "no hookctl deliveries line: ${list_cmd}"
listed_succeeded() { bash -c "${list_cmd}" | grep -q succeeded; }
wait_until 30 listed_succeeded || hookd_die "hookctl deliveries never showed the delivery as succeeded"

# 2. The down endpoint: dead-lettered after the demo's short retry schedule, recovered, replayed.
failed_cmd="$(hookctl_line '--status failed')"
recover_cmd="$(hookctl_line '/down/recover')"
replay_cmd="$(hookctl_line 'replay --webhook')"
[[ -n "${failed_cmd}" && -n "${recover_cmd}" && -n "${replay_cmd}" ]] || hookd_die "the replay story is not printed"
dead_lettered() { bash -c "${failed_cmd}" | grep -q failed; }
wait_until 60 dead_lettered || hookd_die "the down endpoint's delivery was never dead-lettered"
[[ "$(grep -c 'POST /down/orders .*answered 503' "${sink_log}")" == 3 ]] || hookd_die "expected 3 attempts to /down/"
bash -c "${recover_cmd}" >/dev/null
replayed="$(bash -c "${replay_cmd}")" || hookd_die "the printed replay failed: ${replayed}"
grep -q 'replayed 1 of 1' <<<"${replayed}" || hookd_die "replay said: ${replayed}"
replay_arrived() { grep -q 'POST /down/orders  signature verified  (replay)$' "${sink_log}"; }
wait_until 30 replay_arrived || hookd_die "the replay never arrived at the recovered endpoint"

# 3. Stopped (SIGTERM takes the same path as Ctrl-C: a background job here ignores SIGINT), nothing is left.
kill -TERM "${run_pid}"
rc=0
wait "${run_pid}" || rc=$?
run_pid=""
((rc == 0)) || hookd_die "tools/run exited ${rc} when stopped"
grep -q 'tools/run: stopped' "${out}" || hookd_die "tools/run did not say it stopped"
if leftovers="$(pgrep -af "${work}/")"; then
  hookd_die "still running after tools/run stopped: ${leftovers}"
fi
redis_port="$(cat "${work}/state/redis/port")"
hookd_port_open "${redis_port}" && hookd_die "the Redis tools/run started still listens on ${redis_port}"
hookd_port_open "${port}" && hookd_die "hookd still listens on ${port}"
printf 'run_test: tools/run printed a working curl, delivered, dead-lettered, replayed and stopped cleanly\n'
