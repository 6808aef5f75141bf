#!/usr/bin/env python3
"""Writes seed inputs of fuzz_signature (default: corpus/signature next to this file): for each catalog entry
(integrations/*.json, in file-name order, as the target numbers them) a request carrying the headers its config
reads, shaped as the vendor sends them, and for Stripe, GitHub, Slack and Standard Webhooks a request whose
signature is valid for the target's default context (so the passing paths are covered too)."""
import base64, glob, hashlib, hmac, json, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BODY = b'{"id":"evt_1NG8Du2eZvKYlo2CUI79vXWy","type":"charge.succeeded","data":{"object":{"id":"ch_1","amount":2000}}}'
HEX = "5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd"
B64 = "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
TS = "1700000000"


def shaped(name, prefix, string_type):
    if "timestamp" in name or name.endswith("-ts"):
        return TS
    if name == "stripe-signature":
        return f"t={TS},v1={HEX},v0={HEX}"
    if name == "paddle-signature":
        return f"ts={TS};h1={HEX}"
    if name == "authorization":
        return "JWT eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJqaXJhOjEyMzQiLCJleHAiOjE3MDAwMDAzMDAsInFzaCI6ImFiYyJ9.c2ln"
    if name in ("webhook-id", "svix-id"):
        return "msg_p5jXN8AQM9LWM0D4loKWxJek"
    value = B64 if string_type == "base64" else HEX
    return (prefix or "") + value + ("" if prefix not in ("v1,",) else " v1," + B64)


def request(index, headers, body=BODY, query=None, context=None):
    lines = [f"{k}: {v}" for k, v in headers.items()]
    lines += [f"${k}: {v}" for k, v in (context or {}).items()]
    if query:
        lines.append("?" + query)
    return bytes([index]) + ("\n".join(lines) + "\n\n").encode() + body


def sign(secret, data, digest=hashlib.sha256):
    return hmac.new(secret, data, digest).digest()


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "corpus", "signature")
    os.makedirs(out, exist_ok=True)
    files = sorted(glob.glob(os.path.join(ROOT, "integrations", "*.json")))
    seeds = {}
    for i, path in enumerate(files):
        text = json.dumps(json.load(open(path))["config"]["webhook"])
        names = sorted(set(re.findall(r"headers\.`?([A-Za-z0-9-]+)", text)) |
                       set(re.findall(r"\$header\.([A-Za-z0-9-]+)", text)))
        prefix = (re.findall(r'"prefix": "([^"]*)"', text) or [None])[0]
        string_type = (re.findall(r'"string_type": "([^"]*)"', text) or ["hex"])[0]
        name = os.path.basename(path)[:-5]
        seeds[name] = request(i, {n: shaped(n, prefix, string_type) for n in names},
                              query="jwt=abc&secret=x" if name in ("jira", "mailchimp") else None)
    index = {os.path.basename(p)[:-5]: i for i, p in enumerate(files)}
    stripe = hmac.new(b"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", TS.encode() + b"." + BODY, hashlib.sha256).hexdigest()
    seeds["stripe_valid"] = request(index["stripe"], {"stripe-signature": f"t={TS},v1={stripe}"})
    github = hmac.new(b"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", BODY, hashlib.sha256).hexdigest()
    seeds["github_valid"] = request(index["github"], {"x-hub-signature-256": "sha256=" + github})
    slack = hmac.new(b"slack-signing-secret", b"v0:" + TS.encode() + b":" + BODY, hashlib.sha256).hexdigest()
    seeds["slack_valid"] = request(index["slack"], {"x-slack-request-timestamp": TS, "x-slack-signature": "v0=" + slack})
    key = base64.b64decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    sw = base64.b64encode(sign(key, b"msg_1." + TS.encode() + b"." + BODY)).decode()
    seeds["standard_webhooks_valid"] = request(index["standard-webhooks"], {
        "webhook-id": "msg_1", "webhook-timestamp": TS, "webhook-signature": "v1,bad v1," + sw})
    extra = len(files)
    seeds["basic"] = request(extra, {"authorization": "Basic " + base64.b64encode(b"vendor-user:vendor-password").decode()})
    seeds["basic_other_user"] = request(extra + 1, {"authorization": "Basic dXNlcjpwYXNz", "x-ts": "2023-11-14T22:13:20Z"},
                                        context={"user": "user", "password": "pass"})
    seeds["hmac_sha512_hex_secret"] = request(extra + 2, {"x-sig": "c2ln", "x-sig-2": "-_-_", "x-ts": TS + "000"},
                                              context={"webhook_secret": "00ff10"})
    seeds["hmac_parts"] = request(extra + 4, {"x-sig": "sha1=" + HEX}, body=b'{"id":"a","n":[1,2]}', query="a=1&a=2")
    seeds["ecdsa_raw"] = request(extra + 6, {"x-sig": "AAAA_-", "x-ts": TS})
    seeds["equals_bearer"] = request(extra + 8, {"authorization": "Bearer whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"})
    seeds["jwt_hs"] = request(extra + 10, {"authorization": "JWT eyJhbGciOiJIUzUxMiJ9.eyJhdWQiOiJob29rZCJ9.AAAA"})
    for name, data in seeds.items():
        with open(os.path.join(out, "seed_" + name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
