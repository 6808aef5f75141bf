#!/usr/bin/env bash
# tools/kafka keeps a broker's data across stop/start and restart, and only reset wipes it: a broker restarted in a
# chaos run (or after a crash) must still hold every event and committed offset. A private broker under a
# temporary state directory, three records, then restart, stop+start and reset, counting the topic's records.
set -euo pipefail
kafka="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../tools" && pwd)/kafka"
HOOKD_STATE_DIR="$(mktemp -d)"
export HOOKD_STATE_DIR
trap '"${kafka}" reset >/dev/null 2>&1 || true; rm -rf "${HOOKD_STATE_DIR}"' EXIT
unset HOOKD_KAFKA_PORT

fail() {
  printf 'kafka_restart_test: FAIL: %s\n' "$*" >&2
  exit 1
}
libs() { printf '%s/kafka-%s/libs' "${HOOKD_CACHE:-${HOME}/.cache/hookd}" "${HOOKD_KAFKA_VERSION:-3.9.2}"; }
port() { cat "${HOOKD_STATE_DIR}/kafka/port"; }
records() {
  java -cp "$(libs)/*" org.apache.kafka.tools.GetOffsetShell --bootstrap-server "127.0.0.1:$(port)" \
    --topic hookd.events 2>/dev/null | awk -F: '{ n += $3 } END { print n + 0 }'
}

"${kafka}" start >/dev/null || fail "start"
printf 'one\ntwo\nthree\n' | java -cp "$(libs)/*" kafka.tools.ConsoleProducer \
  --bootstrap-server "127.0.0.1:$(port)" --topic hookd.events >/dev/null 2>&1 || fail "producing three records"
[[ "$(records)" == 3 ]] || fail "expected 3 records after producing, got $(records)"
first_port="$(port)"

"${kafka}" restart >/dev/null || fail "restart"
[[ "$(records)" == 3 ]] || fail "restart lost records: $(records) left of 3"
[[ "$(port)" == "${first_port}" ]] || fail "restart moved the broker from port ${first_port} to $(port)"

"${kafka}" stop >/dev/null || fail "stop"
"${kafka}" start >/dev/null || fail "start after stop"
[[ "$(records)" == 3 ]] || fail "stop and start lost records: $(records) left of 3"

"${kafka}" reset >/dev/null || fail "reset"
[[ ! -e "${HOOKD_STATE_DIR}/kafka" ]] || fail "reset left ${HOOKD_STATE_DIR}/kafka behind"
"${kafka}" start >/dev/null || fail "start after reset"
[[ "$(records)" == 0 ]] || fail "reset kept records: $(records)"
printf 'kafka_restart_test: 3 records kept through restart and stop/start, none after reset\n'
