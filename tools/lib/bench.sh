# shellcheck shell=bash
# Helpers shared by tools/bench-ingest and tools/bench-dispatch. Sourced after common.sh and seed.sh; callers set
# `set -euo pipefail` and `hookd_tool`, then call bench_init.
#
# Everything a benchmark starts is recorded here and stopped by bench_cleanup (installed as the EXIT trap by
# bench_init): the benchmark's own processes by pid, and Redis and Kafka through tools/redis and tools/kafka under
# HOOKD_STATE_DIR (default <repo>/var/bench, apart from the test broker's <repo>/var).

# shellcheck disable=SC2154  # hookd_root and hookd_tool come from common.sh and the caller
bench_tools="${hookd_root}/tools"
bench_build_dir="${HOOKD_BENCH_BUILD_DIR:-${hookd_root}/build/release}"
bench_pids=()
bench_started_redis=0
bench_started_kafka=0

bench_init() {
  export HOOKD_STATE_DIR="${HOOKD_STATE_DIR:-${hookd_root}/var/bench}"
  mkdir -p "${HOOKD_STATE_DIR}"
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}

# shellcheck disable=SC2317  # run by the EXIT trap
bench_cleanup() {
  local pid
  for pid in "${bench_pids[@]}"; do
    hookd_terminate "${pid}" 20
  done
  bench_pids=()
  if ((bench_started_kafka)); then "${bench_tools}/kafka" stop || true; fi
  if ((bench_started_redis)); then "${bench_tools}/redis" stop || true; fi
  bench_started_kafka=0
  bench_started_redis=0
  return 0
}

# Installs wrk once (Debian's package: no wrk2, so no fixed-rate mode beyond what the Lua script does).
bench_need_wrk() {
  command -v wrk >/dev/null && return 0
  local sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  hookd_say "installing wrk"
  "${sudo_cmd[@]}" apt-get install -y -qq wrk >/dev/null || hookd_die "could not install wrk"
}

# Configures build/release (Release, no tests, benchmarks on) and builds the targets named. HOOKD_BENCH_JOBS limits
# ninja's parallelism (e.g. 1 on a machine someone else is compiling on).
bench_build() {
  mkdir -p "${bench_build_dir}"
  if ! cmake -S "${hookd_root}" -B "${bench_build_dir}" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DHOOKD_SANITIZE=OFF -DHOOKD_BUILD_TESTS=OFF -DHOOKD_BUILD_BENCH=ON >"${bench_build_dir}/configure.log" 2>&1; then
    cat "${bench_build_dir}/configure.log" >&2
    hookd_die "cmake configure failed"
  fi
  local jobs=()
  [[ -n "${HOOKD_BENCH_JOBS:-}" ]] && jobs=(-j "${HOOKD_BENCH_JOBS}")
  hookd_ninja "${bench_build_dir}" "${jobs[@]}" "$@" || hookd_die "build failed"
}

# A fresh Redis under the bench state directory; exports HOOKD_REDIS_URL.
bench_start_redis() {
  "${bench_tools}/redis" stop
  bench_started_redis=1
  "${bench_tools}/redis" start
  local env
  env="$("${bench_tools}/redis" env)"
  export HOOKD_REDIS_URL="${env#HOOKD_TEST_REDIS_URL=}"
}

# A fresh single-node Kafka under the bench state directory (reset, then start on new storage); exports
# HOOKD_KAFKA_BROKERS.
# The broker's JVM as Kafka's own start script runs it in production (a 1 GB heap, the JIT's optimizing tier):
# tools/kafka's default for tests stops the JIT at its first tier, which starts faster but leaves the broker at
# several times the CPU per message. HOOKD_KAFKA_JAVA_OPTS, when set, is used instead.
bench_start_kafka() {
  export HOOKD_KAFKA_JAVA_OPTS="${HOOKD_KAFKA_JAVA_OPTS:--Xms1g -Xmx1g -XX:TieredStopAtLevel=4}"
  "${bench_tools}/kafka" reset
  bench_started_kafka=1
  hookd_say "starting a Kafka broker (a JVM: up to a minute on busy cores)"
  "${bench_tools}/kafka" start || hookd_die "tools/kafka start failed"
  local env
  env="$("${bench_tools}/kafka" env)"
  export HOOKD_KAFKA_BROKERS="${env#HOOKD_TEST_KAFKA_BROKERS=}"
}

# The sum over the partitions of topic hookd.events of its end offsets: how many records the broker holds. Runs
# Kafka's GetOffsetShell from the jars tools/kafka fetched.
bench_kafka_end_offsets() {
  local libs="${HOOKD_CACHE:-${HOME}/.cache/hookd}/kafka-${HOOKD_KAFKA_VERSION:-3.9.2}/libs"
  java -Xmx128m -XX:TieredStopAtLevel=1 -cp "${libs}/*" \
    -Dlog4j.configuration="file:${HOOKD_STATE_DIR}/kafka/tools-log4j.properties" \
    org.apache.kafka.tools.GetOffsetShell --bootstrap-server "${HOOKD_KAFKA_BROKERS}" --topic hookd.events \
    --time -1 | awk -F: '{ sum += $NF } END { print sum + 0 }'
}

# Starts a process in the background with its output in $HOOKD_STATE_DIR/$1.log and records its pid, for cleanup.
# Sets bench_last_pid.
bench_spawn() {
  local name="$1"
  shift
  "$@" >"${HOOKD_STATE_DIR}/${name}.log" 2>&1 &
  bench_last_pid=$!
  bench_pids+=("${bench_last_pid}")
}

# Takes pid $1 off the cleanup list once it has exited (its number may be reused).
bench_forget() {
  local kept=() pid
  for pid in "${bench_pids[@]}"; do
    [[ "${pid}" == "$1" ]] || kept+=("${pid}")
  done
  bench_pids=("${kept[@]}")
}

# Waits up to 30 s until GET $2 answers 2xx; dies with the log of $1 otherwise.
bench_wait_ready() {
  local name="$1" url="$2"
  for _ in $(seq 1 300); do
    curl -sf "${url}" >/dev/null 2>&1 && return 0
    hookd_alive "${bench_last_pid}" || break
    sleep 0.1
  done
  hookd_log_tail "${HOOKD_STATE_DIR}/${name}.log"
  hookd_die "${name} did not become ready at ${url}"
}

# Starts hookd: bench_start_hookd NAME PORT ROLES [VAR=VALUE...]. Listens on 127.0.0.1:PORT with
# HOOKD_THREADS=${bench_threads}, logs warnings only.
bench_start_hookd() {
  local name="$1" port="$2" roles="$3"
  shift 3
  hookd_port_open "${port}" && hookd_die "port ${port} is in use"
  bench_spawn "${name}" env HOOKD_LISTEN="127.0.0.1:${port}" HOOKD_ROLES="${roles}" HOOKD_LOG_LEVEL=warn \
    HOOKD_THREADS="${bench_threads}" HOOKD_OPERATOR_TOKEN="${HOOKD_OPERATOR_TOKEN}" "$@" \
    "${bench_build_dir}/src/app/hookd"
  bench_wait_ready "${name}" "http://127.0.0.1:${port}/readyz"
}

# The first free port from $1 upwards.
bench_port() { hookd_free_port "$1" 100 1 || hookd_die "no free port from $1"; }

# Redis' CPU seconds so far (user + system), from INFO cpu of the benchmark's Redis.
bench_redis_cpu() {
  redis-cli -u "${HOOKD_REDIS_URL}" info cpu |
    awk -F: '/^used_cpu_(user|sys):/ { s += $2 } END { printf "%.3f\n", s }'
}

# CPU time so far, in clock ticks, of the whole box (busy: user, system, irq and softirq, /proc/stat; not idle,
# iowait or the time a hypervisor stole) and of each pid
# given (user + system of all its threads, /proc/<pid>/stat; 0 for a pid gone): "box pid1 pid2 ...".
bench_cpu_ticks() {
  local out pid
  out="$(awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8; exit }' /proc/stat)"
  for pid in "$@"; do
    out+=" $(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/${pid}/stat" 2>/dev/null || echo 0)"
  done
  printf '%s\n' "${out}"
}

# Where the CPU of a run went, per request: bench_cpu_per_request BEFORE AFTER REQUESTS NAME... (BEFORE and AFTER
# from bench_cpu_ticks with the pids of the NAMEs) prints "NAME1 A µs, NAME2 B µs, ..., the rest C µs (box D µs)".
bench_cpu_per_request() {
  local before="$1" after="$2" requests="$3"
  shift 3
  awk -v b="${before}" -v a="${after}" -v n="${requests}" -v names="$*" -v hz="$(getconf CLK_TCK)" 'BEGIN {
    split(b, x, " "); split(a, y, " "); split(names, name, " ")
    if (n <= 0) { print "no requests"; exit }
    per = 1e6 / hz / n; box = (y[1] - x[1]) * per; rest = box
    for (i = 1; i <= length(name); i++) { v = (y[i + 1] - x[i + 1]) * per; rest -= v; printf "%s %.0f, ", name[i], v }
    printf "the rest %.0f (box %.0f) us\n", rest, box }'
}

# One value of hookd's /metrics: bench_metric URL 'name{labels}' (0 when absent).
bench_metric() {
  curl -s "$1/metrics" | awk -v key="$2" 'index($0, key " ") == 1 { v = $2 } END { printf "%d\n", v + 0 }'
}

# The bucket counts of histogram $2 (cumulative, "le count" per line) from hookd at URL $1.
bench_histogram() {
  curl -s "$1/metrics" | awk -v name="$2_bucket{" 'index($0, name) == 1 {
    le = $1; sub(/.*le="/, "", le); sub(/".*/, "", le); print le, $2 }'
}

# The bucket bounds holding the median and the 99th percentile of what histogram snapshots $1 and $2 (files of
# bench_histogram) counted in between, as "p50 <= A s, p99 <= B s (N observations)".
bench_histogram_quantiles() {
  paste "$1" "$2" | awk '{ le[NR] = $1; n[NR] = $4 - $2 } END {
    total = n[NR]; if (total <= 0) { print "no observations"; exit }
    for (i = 1; i <= NR; i++) { if (!p50 && n[i] >= 0.5 * total) p50 = le[i]; if (!p99 && n[i] >= 0.99 * total) p99 = le[i] }
    printf "p50 <= %s s, p99 <= %s s (%d observations)\n", p50, p99, total }'
}

# Seeds the integration the benchmarks post to: Shopify's signature (base64 HMAC-SHA256 of the raw body) plus a
# JSONata payload_transform that makes a normalized record:created event out of an order, as a real integration
# would. Needs `base` (an admin URL). Sets env_id, token, account_id, vendor_secret, webhook_id.
# shellcheck disable=SC2034  # the variables are the callers'
bench_seed() {
  local target_url="$1" op="${HOOKD_OPERATOR_TOKEN}" install_id
  env_id="$(hookd_field id "$(hookd_api "${op}" POST /environment '{"name":"bench"}')")"
  token="$(hookd_field token "$(hookd_api "${op}" POST "/environment/${env_id}/api-token" '{"name":"bench"}')")"
  hookd_api "${op}" POST /integration "$(bench_integration)" >/dev/null
  install_id="$(hookd_field id "$(hookd_api "${token}" POST /environment-integration \
    '{"integration_id":"shopify-bench"}')")"
  vendor_secret="shpss_bench_$(head -c 12 /dev/urandom | base64 | tr '+/' '-_')"
  account_id="$(hookd_field id "$(hookd_api "${token}" POST /integrated-account "{\"tenant_id\":\"acme\",
    \"environment_integration_id\":\"${install_id}\",\"authentication_method\":\"api_key\",
    \"context\":{\"webhook_secret\":\"${vendor_secret}\"}}")")"
  webhook_id="$(hookd_field id "$(hookd_api "${token}" POST /webhook "{\"target_url\":\"${target_url}\"}")")"
}

# The integration's config. The transform keeps what a downstream system needs from an order and names the event
# (record:created from X-Shopify-Topic) and the vendor's delivery id (X-Shopify-Webhook-Id).
bench_integration() {
  cat <<'JSON'
{"name":"shopify-bench","category":"ecommerce","config":{"webhook":{
  "payload_transform":"{'event_type': $contains(headers.`x-shopify-topic`, 'create') ? 'created' : 'updated', 'resource': 'ecommerce/orders', 'raw_event_type': headers.`x-shopify-topic`, 'id': headers.`x-shopify-webhook-id`, 'record': {'id': $string(body.id), 'number': body.order_number, 'email': body.email, 'status': body.financial_status, 'currency': body.currency, 'total': $number(body.total_price), 'tax': $number(body.total_tax), 'customer': {'id': $string(body.customer.id), 'name': body.customer.first_name & ' ' & body.customer.last_name}, 'items': [body.line_items.{'sku': sku, 'title': title, 'quantity': quantity, 'price': $number(price)}], 'created_at': body.created_at}}",
  "signature_verification":{"format":"hmac","config":{"secret":"{{context.webhook_secret}}","algorithm":"sha256",
    "string_type":"base64","compare_with":"{{headers.x-shopify-hmac-sha256}}","parts":["raw_body"]}}}}}
JSON
}

# Writes the request body (exact bytes, no newline) to $1 and prints its Shopify signature.
bench_body() {
  local out="$1"
  printf '%s' "$(<"${hookd_root}/bench/data/shopify_order.json")" >"${out}"
  openssl dgst -sha256 -hmac "${vendor_secret}" -binary <"${out}" | base64
}

# Writes the wrk script to $1: posts the body in $2 signed with $3, each request with its own
# X-Shopify-Webhook-Id (a vendor's deliveries are distinct events, not one retried). It counts answers exactly
# (a 2xx whose body says "accepted" / anything else) and prints one machine-readable line at the end:
#   BENCH ok=N other=N requests=N duration_us=N p50_us=N p99_us=N socket_errors=N
# Environment read by the script (os.getenv, so that the delay hook exists only when wanted):
#   BENCH_PERIOD_MS  a connection waits this long before each request (0: none; wrk's only way to hold a rate)
#   BENCH_QUOTA      total posts over all threads (0: none); then filler GET /healthz until the answers are in, and
#                    a line in BENCH_DONE_FILE per thread that has all its answers
#   BENCH_THREADS    wrk's -t, to split the quota
bench_wrk_script() {
  local script="$1" body_file="$2" signature="$3" run_id
  run_id="bench-$(date +%s)-$$"
  cat >"${script}" <<LUA
-- Written by ${hookd_tool}; see tools/lib/bench.sh (bench_wrk_script).
local f = assert(io.open("${body_file}", "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Shopify-Topic"] = "orders/create"
wrk.headers["X-Shopify-Shop-Domain"] = "bench.myshopify.com"
wrk.headers["X-Shopify-API-Version"] = "2024-10"
wrk.headers["X-Shopify-Hmac-Sha256"] = "${signature}"

local period = tonumber(os.getenv("BENCH_PERIOD_MS") or "0")
local quota_total = tonumber(os.getenv("BENCH_QUOTA") or "0")
local thread_total = tonumber(os.getenv("BENCH_THREADS") or "1")
-- Each wrk run gets its own delivery ids: the same id again would be the same event, which hookd delivers once.
local run = "${run_id}-" .. (os.getenv("BENCH_RUN") or "0")
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  ok, other, sent = 0, 0, 0
  -- wrk calls the first thread's request() once more, before it runs, to check the request (script_verify_request
  -- in wrk.c): that request is never sent, so it must not count against the quota.
  if tid == 1 then sent = -1 end
  quota = 0
  if quota_total > 0 then
    quota = math.floor(quota_total / thread_total)
    if tid <= quota_total % thread_total then quota = quota + 1 end
  end
end

-- Once a thread has sent its quota, its connections only keep wrk busy: slow them down to leave hookd the CPU.
if period > 0 or quota_total > 0 then
  function delay()
    if quota > 0 and sent >= quota then return 100 end
    return period
  end
end

function request()
  sent = sent + 1
  if quota > 0 and sent > quota then return wrk.format("GET", "/healthz", {}, "") end
  wrk.headers["X-Shopify-Webhook-Id"] = string.format("%s-%d-%d", run, tid, sent)
  return wrk.format()
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    if not string.find(body, '"accepted"', 1, true) then return end  -- a filler GET's answer
    ok = ok + 1
  else
    other = other + 1
  end
  if quota > 0 and ok + other == quota then
    -- wrk's main thread sleeps for the whole -d regardless: tell bench_wrk, which then interrupts it.
    local done_file = assert(io.open(os.getenv("BENCH_DONE_FILE"), "a"))
    done_file:write("thread done\n")
    done_file:close()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local ok_sum, other_sum = 0, 0
  for _, t in ipairs(threads) do
    ok_sum = ok_sum + t:get("ok")
    other_sum = other_sum + t:get("other")
  end
  local e = summary.errors
  io.write(string.format("BENCH ok=%d other=%d requests=%d duration_us=%d p50_us=%d p99_us=%d socket_errors=%d\n",
    ok_sum, other_sum, summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout))
end
LUA
}

# Waits until wrk ($1) has all its quota's answers (two lines in $2), or until hookd ($3) has answered no vendor
# request for 5 s: wrk loses a request now and then when it reconnects, and would then wait forever.
bench_wait_quota() {
  local pid="$1" done_file="$2" base="$3" answered last=-1 still=0
  while hookd_alive "${pid}" && (($(wc -l <"${done_file}") < 2)); do
    answered="$(curl -s "${base}/metrics" | awk '/^hookd_ingest_requests_total/ { n += $2 } END { print n + 0 }')"
    if ((answered == last)); then
      still=$((still + 1))
      if ((still >= 10)); then
        hookd_say "wrk: no answer for 5 s and some of its requests unanswered; stopping it"
        return 0
      fi
    else
      still=0
    fi
    last="${answered}"
    sleep 0.5
  done
}

# Runs wrk and sets bench_line to its BENCH line (not by printing it: wrk must run in this shell, for the EXIT trap
# to stop it): bench_wrk CONNECTIONS SECONDS URL [VAR=VALUE...] (the variables go to the
# script). With BENCH_QUOTA, SECONDS is only a limit: wrk is interrupted (SIGINT: it then reports as usual) once
# every thread has its answers. The full output stays in $HOOKD_STATE_DIR/wrk.log.
bench_wrk() {
  local connections="$1" seconds="$2" url="$3" done_file="${HOOKD_STATE_DIR}/wrk.done" pid status=0
  shift 3
  : >"${done_file}"
  bench_runs=$((${bench_runs:-0} + 1))
  env BENCH_THREADS=2 BENCH_RUN="${bench_runs}" BENCH_DONE_FILE="${done_file}" "$@" \
    wrk -t2 -c"${connections}" -d"${seconds}s" --latency -s "${bench_script}" "${url}" >"${HOOKD_STATE_DIR}/wrk.log" 2>&1 &
  pid=$!
  bench_pids+=("${pid}")
  if [[ " $* " == *" BENCH_QUOTA="* ]]; then
    bench_wait_quota "${pid}" "${done_file}" "${url%%/integrated-account-webhook/*}"
    kill -INT "${pid}" 2>/dev/null || true
  fi
  wait "${pid}" || status=$?
  bench_forget "${pid}"
  ((status == 0)) || {
    cat "${HOOKD_STATE_DIR}/wrk.log" >&2
    hookd_die "wrk failed (exit ${status})"
  }
  # shellcheck disable=SC2034  # read by the callers
  bench_line="$(grep '^BENCH ' "${HOOKD_STATE_DIR}/wrk.log")" || {
    cat "${HOOKD_STATE_DIR}/wrk.log" >&2
    hookd_die "wrk printed no BENCH line"
  }
}

# One field of a BENCH line: bench_field LINE NAME.
bench_field() { grep -o " $2=[0-9]*" <<<" $1" | cut -d= -f2; }
