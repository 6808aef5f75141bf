# shellcheck shell=bash
# Seeds a running hookd with the demo setup tools/run and tools/bench-ingest use: an environment and its API token, a
# Shopify-style integration installed there, one integrated account with a vendor signing secret, and a customer
# endpoint. Sourced after common.sh; needs `base` (hookd's URL) and HOOKD_OPERATOR_TOKEN.
#
#   hookd_seed TARGET_URL    sets env_id, token, install_id, account_id, vendor_secret, webhook_id, webhook_secret

# Calls the admin API; prints the answer, dies on an error status.
hookd_api() {
  local token="$1" method="$2" path="$3" body="${4:-}" out code
  # shellcheck disable=SC2154  # base is set by the caller
  out="$(curl -s -w '\n%{http_code}' -X "${method}" "${base}${path}" -H "Authorization: Bearer ${token}" \
    -H 'Content-Type: application/json' ${body:+-d "${body}"})"
  code="${out##*$'\n'}"
  out="${out%$'\n'*}"
  [[ "${code}" == 2* ]] || hookd_die "seeding: ${method} ${path} answered ${code}: ${out}"
  printf '%s' "${out}"
}

# The first value of a string field in a JSON object (enough for hookd's own answers).
hookd_field() { grep -o "\"$1\":\"[^\"]*\"" <<<"$2" | head -n 1 | cut -d'"' -f4; }

# shellcheck disable=SC2034  # the variables are the callers'
hookd_seed() {
  local target_url="$1" op="${HOOKD_OPERATOR_TOKEN}" webhook
  env_id="$(hookd_field id "$(hookd_api "${op}" POST /environment '{"name":"development"}')")"
  token="$(hookd_field token "$(hookd_api "${op}" POST "/environment/${env_id}/api-token" '{"name":"demo"}')")"
  hookd_api "${op}" POST /integration '{"name":"shopify","category":"ecommerce","config":{"webhook":{
    "signature_verification":{"format":"hmac","config":{"secret":"{{context.webhook_secret}}","algorithm":"sha256",
    "string_type":"base64","compare_with":"{{headers.x-shopify-hmac-sha256}}","parts":["raw_body"]}}}}}' >/dev/null
  install_id="$(hookd_field id "$(hookd_api "${token}" POST /environment-integration '{"integration_id":"shopify"}')")"
  vendor_secret="shpss_demo_$(head -c 9 /dev/urandom | base64 | tr '+/' '-_')"
  account_id="$(hookd_field id "$(hookd_api "${token}" POST /integrated-account "{\"tenant_id\":\"acme\",
    \"environment_integration_id\":\"${install_id}\",\"authentication_method\":\"api_key\",
    \"context\":{\"webhook_secret\":\"${vendor_secret}\"}}")")"
  webhook="$(hookd_api "${token}" POST /webhook "{\"target_url\":\"${target_url}\"}")"
  webhook_id="$(hookd_field id "${webhook}")"
  webhook_secret="$(hookd_field secret "${webhook}")"
}
