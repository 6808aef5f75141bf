#!/usr/bin/env python3
"""Writes seed inputs of fuzz_webhook_config (default: corpus/config next to this file): the `config` of every
catalog entry (integrations/*.json), some with an install override merged over them, and configs of each
refusal the admin API answers (as tests/ingest/webhook_config_test.cpp and delivery_id_config_test.cpp check)."""
import glob, json, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

OVERRIDES = [
    {"webhook": {"timestamp_tolerance": {"max_age_seconds": 60}}},
    {"webhook": {"signature_verification": {"config": {"secret": "{{environment_variables.WEBHOOK_SECRET}}"}}}},
    {"webhook": {"accept_response": {"status_code": 202, "headers": {"X-Ok": "1"}, "body": {"ok": True}}}},
    {"webhook": {"delivery_id": {"header": "x-github-delivery", "dedupe_window_seconds": 86400}}},
    {"webhook": None},
]

EXTRA = [
    {"webhook": {"payload_transform": "$merge([body, {'kind': headers.`x-event`}])",
                 "handle_verification": "body.type = 'url_verification' ? {'type': 'verify', 'verification_response': {'status_code': 200, 'body': body.challenge}} : {'type': 'payload'}",
                 "context_lookup_field_name": "team.id", "context_lookup_field_value": "body.team_id",
                 "handshake_context_fields": ["verify_token"],
                 "delivery_id": {"expression": "body.event_id"}}},
    {"webhook": {"signature_verification": {"format": "hmac", "config": {"secret": "literal-secret-value",
                 "algorithm": "sha3", "compare_with": "{{headers.x-sig"}}}},
    {"webhook": {"signature_verification": [{"format": "jwt", "config": {"algorithms": ["RS256"], "public_key": "{{context.key}}",
                 "compare_with": "{{headers.authorization}}", "prefix": "Bearer ", "claims": {"aud": "x"}}},
                 {"format": "basic", "config": {"username": "u", "password": "{{context.password}}"}}]}},
    {"webhook": {"accept_response": {"status_code": 99, "headers": {"Bad Name": "x\r\ny"}, "body": 1}}},
    {"webhook": {"context_lookup_field_name": "a..b"}},
    {"webhook": {"delivery_id": {"header": "x", "expression": "y", "dedupe_window_seconds": 1}}},
    {"webhook": {"signature_verification": {"format": "digest", "config": {"algorithm": "sha256",
                 "parts": ["{{context.client_secret}}", "{{method}}", "{{url}}", "raw_body"]}},
                 "timestamp_tolerance": {"value": {"jsonata": "headers.ts"}, "format": "iso8601", "max_age_seconds": -1}}},
    {"api_key": 12345, "webhook": {"token": "t0ken-literal", "signature_verification": {"format": "equals",
                 "config": {"secret": "{{context.a}}{{context.b}}", "compare_with": "$header.x-token"}}}},
]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "corpus", "config")
    os.makedirs(out, exist_ok=True)
    n = 0
    for i, path in enumerate(sorted(glob.glob(os.path.join(ROOT, "integrations", "*.json")))):
        config = json.load(open(path))["config"]
        name = os.path.basename(path)[:-5]
        text = json.dumps(config, separators=(",", ":"))
        if i % 3 == 0:
            text += "\n---\n" + json.dumps(OVERRIDES[(i // 3) % len(OVERRIDES)], separators=(",", ":"))
        open(os.path.join(out, "seed_" + name), "w").write(text)
    for i, config in enumerate(EXTRA):
        open(os.path.join(out, f"seed_extra_{i}"), "w").write(json.dumps(config, separators=(",", ":")))


if __name__ == "__main__":
    main()
