#!/usr/bin/env bash
# tools/kafka's cluster ids: 22 characters of URL-safe base64 that never start with '-' (which Kafka's format tool
# would read as an option: one random id in 64 did, and the broker then failed to start). 1000 ids: an id
# generator without the guard passes this with a chance of 1 in 7 million.
set -euo pipefail
kafka="$(dirname "${BASH_SOURCE[0]}")/../../tools/kafka"
declare -A seen=()
while IFS= read -r id; do
  [[ "${id}" =~ ^[A-Za-z0-9_][A-Za-z0-9_-]{21}$ ]] || {
    printf 'kafka_cluster_id_test: bad cluster id %q\n' "${id}" >&2
    exit 1
  }
  seen["${id}"]=1
done < <("${kafka}" cluster-id 1000)
((${#seen[@]} == 1000)) || {
  printf 'kafka_cluster_id_test: %d distinct ids, not 1000\n' "${#seen[@]}" >&2
  exit 1
}
printf 'kafka_cluster_id_test: 1000 distinct ids, none starting with -\n'
