#!/usr/bin/env python3
"""Writes the seed requests of fuzz_http_request into a directory (default: corpus/request next to this file).

Seeds are what reaches the listener: vendors' webhook requests as their documentation shows them (headers and
bodies as in tests/e2e/catalog*_test.cpp), the framing cases of tests/http/server/server_test.cpp (chunked,
smuggling attempts, folding, Expect), admin API calls, and keep-alive sequences. The fuzzer grows the rest.
"""
import os
import sys

ACCOUNT = "/integrated-account-webhook/3f2c1a9e-8d7b-4c6a-9e1f-0a1b2c3d4e5f"
INSTALL = "/environment-integration-webhook/7d0c6c7e-2b1a-4f7e-9d3c-5e6f7a8b9c0d"


def request(method, target, headers, body=b"", version="1.1"):
    head = f"{method} {target} HTTP/{version}\r\n".encode()
    for name, value in headers:
        head += f"{name}: {value}\r\n".encode()
    if body and not any(n.lower() in ("content-length", "transfer-encoding") for n, _ in headers):
        head += f"Content-Length: {len(body)}\r\n".encode()
    return head + b"\r\n" + body


def vendor_seeds():
    host = ("Host", "hooks.example.com")
    stripe_body = (b'{"id":"evt_1NG8Du2eZvKYlo2CUI79vXWy","object":"event","type":"charge.succeeded",'
                   b'"data":{"object":{"id":"ch_1","amount":2000}}}')
    yield "stripe", request("POST", ACCOUNT, [host, ("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)"),
                                             ("Content-Type", "application/json; charset=utf-8"),
                                             ("Stripe-Signature", "t=1700000000,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd,v0=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39")],
                            stripe_body)
    yield "github", request("POST", ACCOUNT + "?source=github", [
        host, ("User-Agent", "GitHub-Hookshot/044aadd"), ("Content-Type", "application/json"),
        ("X-GitHub-Event", "issues"), ("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"),
        ("X-Hub-Signature-256", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"),
        ("X-Hub-Signature", "sha1=7d38cdd689735b008b3c702edd92eea23791c5f6")],
        b'{"action":"opened","issue":{"url":"https://api.github.com/repos/octocat/Hello-World/issues/1347","number":1347},'
        b'"repository":{"id":1296269,"full_name":"octocat/Hello-World"},"sender":{"login":"octocat","id":1}}')
    yield "slack_form", request("POST", INSTALL, [
        host, ("Content-Type", "application/x-www-form-urlencoded"),
        ("X-Slack-Request-Timestamp", "1531420618"),
        ("X-Slack-Signature", "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503")],
        b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&"
        b"channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&"
        b"response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&"
        b"trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c")
    yield "slack_challenge", request("POST", INSTALL, [host, ("Content-Type", "application/json")],
                                     b'{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}')
    yield "twilio_form", request("POST", ACCOUNT + "?AccountSid=AC123", [
        host, ("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8"),
        ("X-Twilio-Signature", "RSOYDt4T1cUTdK1PDd93/VVr8B8="), ("I-Twilio-Idempotency-Token", "a5b1b7b0-1c3d")],
        b"CallSid=CA1234567890ABCDE&Caller=%2B12349013030&Digits=1234&From=%2B12349013030&To=%2B18005551212&"
        b"Body=Hello+world%21&Body=again&MediaUrl0=https%3A%2F%2Fapi.twilio.com%2F2010-04-01")
    yield "standard_webhooks", request("POST", ACCOUNT, [
        host, ("Content-Type", "application/json"), ("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek"),
        ("webhook-timestamp", "1614265330"),
        ("webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE= v1,bm9ldHUjKzFob2VudXRob2VodWUzMjRvdWVvdW9ldQo=")],
        b'{"test": 2432232314}')
    yield "shopify", request("POST", ACCOUNT, [
        host, ("X-Shopify-Topic", "orders/create"), ("X-Shopify-Hmac-Sha256", "XWmrwMey6OsLMeiZKwP4FppHH3cmAiiJJAweH5Jo4bM="),
        ("X-Shopify-Shop-Domain", "johns-apparel.myshopify.com"), ("X-Shopify-Webhook-Id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"),
        ("Content-Type", "application/json")], b'{"id":820982911946154508,"email":"jon@example.com","line_items":[{"id":1}]}')
    yield "docusign", request("POST", ACCOUNT, [
        host, ("Content-Type", "application/json"),
        ("X-DocuSign-Signature-1", "3sF2nJ0V9XR5q8/wYyq7cJ6o3Sx7gY0z5cK4Gd6z9nE="),
        ("X-DocuSign-Signature-2", "Xq0Y8E9j3h2nD6sLw4v7bK1c5m0p9r2t6u8y1z3a4b5=")],
        b'{"event":"envelope-completed","apiVersion":"v2.1","data":{"envelopeId":"93be49ab-xxxx"}}')
    yield "dropbox_get", request("GET", ACCOUNT + "?challenge=KCqTvS3p1vGzBh0Ld5sKbg", [host])
    yield "okta_get", request("GET", ACCOUNT, [host, ("X-Okta-Verification-Challenge", "OH3x9mUg6IvT9Qf7Wq")])
    yield "trello_head", request("HEAD", ACCOUNT, [host])
    yield "hubspot_v3", request("POST", ACCOUNT, [
        host, ("Content-Type", "application/json"), ("X-HubSpot-Signature-v3", "QxLmI3xFnAGtGSbR5HchHzIkkmM+8mT7fL8b8oD3S0E="),
        ("X-HubSpot-Request-Timestamp", "1700000000000")],
        b'[{"eventId":1,"subscriptionId":2,"portalId":3,"occurredAt":1700000000000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123}]')
    yield "zoom_validation", request("POST", ACCOUNT, [
        host, ("Content-Type", "application/json"), ("x-zm-signature", "v0=a05d830fa017433bc47887f835a00b9ff33d3882f22f63a2986a8"),
        ("x-zm-request-timestamp", "1658940994")],
        b'{"payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"},"event_ts":1654503849680,"event":"endpoint.url_validation"}')
    yield "paddle", request("POST", ACCOUNT, [
        host, ("Content-Type", "application/json"),
        ("Paddle-Signature", "ts=1671552777;h1=eb4d0dc8853be92b7f063b9f3ba5233eb920a09459b6e6b2c26705b4364db151")],
        b'{"event_id":"evt_01gks14ge726w50ce2rdt8gk1v","event_type":"transaction.completed"}')
    yield "forwarded", request("POST", ACCOUNT + "?a=1&a=2&b=%20x+y", [
        host, ("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "[2001:db8::1]:8443"),
        ("Content-Type", "text/plain"), ("Authorization", "Basic dXNlcjpwYXNz")], b"plain text body")


def framing_seeds():
    h = "Host: t\r\n"
    yield "chunked", f"POST {ACCOUNT} HTTP/1.1\r\n{h}Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n5\r\n{{\"a\":\r\n2\r\n1}}\r\n0\r\n\r\n".encode()
    yield "chunked_ext_trailer", f"POST {ACCOUNT} HTTP/1.1\r\n{h}Transfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n0\r\nX-Trailer: 1\r\n\r\n".encode()
    yield "te_and_cl", f"POST {ACCOUNT} HTTP/1.1\r\n{h}Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n".encode()
    yield "te_gzip", f"POST {ACCOUNT} HTTP/1.1\r\n{h}Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n".encode()
    yield "te_twice", f"POST {ACCOUNT} HTTP/1.1\r\n{h}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n".encode()
    yield "te_http10", f"POST {ACCOUNT} HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n".encode()
    yield "cl_twice", f"POST {ACCOUNT} HTTP/1.1\r\n{h}Content-Length: 1\r\nContent-Length: 2\r\n\r\nab".encode()
    yield "cl_too_large", f"POST {ACCOUNT} HTTP/1.1\r\n{h}Content-Length: 5000\r\n\r\n".encode()
    yield "fold", f"GET /healthz HTTP/1.1\r\n{h}X-Long: start\r\n continued\r\n\r\n".encode()
    yield "no_host", b"GET /healthz HTTP/1.1\r\n\r\n"
    yield "two_hosts", b"GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"
    yield "http10", b"GET /healthz HTTP/1.0\r\n\r\n"
    yield "expect", f"POST {ACCOUNT} HTTP/1.1\r\n{h}Expect: 100-continue\r\nContent-Length: 2\r\n\r\n{{}}".encode()
    yield "keep_alive", (f"POST /webhook/test HTTP/1.1\r\n{h}Content-Length: 1\r\n\r\na"
                         f"GET /webhook/wh_1%2F2/deliveries?limit=10&cursor=abc HTTP/1.1\r\n{h}\r\n"
                         f"DELETE /webhook/x HTTP/1.1\r\n{h}Connection: close\r\n\r\n").encode()
    yield "method_not_allowed", f"DELETE /delivery/replay HTTP/1.1\r\n{h}\r\n".encode()
    yield "not_found", f"GET /nope/%zz/%41 HTTP/1.1\r\n{h}\r\n".encode()
    yield "admin_patch", (f"PATCH /integrated-account/acc%201 HTTP/1.1\r\n{h}Authorization: Bearer tok\r\n"
                          f"Content-Type: application/json\r\nContent-Length: 16\r\n\r\n{{\"context\":{{}}}}").encode()
    yield "absolute_target", b"GET http://hooks.example.com/healthz?x=1 HTTP/1.1\r\nHost: hooks.example.com\r\n\r\n"
    yield "big_header", f"GET /healthz HTTP/1.1\r\n{h}X-Big: {'a' * 1100}\r\n\r\n".encode()


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus", "request")
    os.makedirs(out, exist_ok=True)
    for name, data in list(vendor_seeds()) + list(framing_seeds()):
        with open(os.path.join(out, "seed_" + name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
