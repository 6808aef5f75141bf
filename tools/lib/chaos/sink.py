#!/usr/bin/env python3
"""The ledger sink of tools/chaos: the customer endpoint hookd delivers to during a chaos run.

It answers every POST with 200 at once (keep-alive, no body), so that no timeout of ours makes a duplicate that hookd
did not cause, and appends one line per delivery to the ledger file (tab-separated):

    received_ms  marker  event_id  webhook_id  delivery_id  attempt  status

`status` is what the sink answered: 200, or 503 for the share --fail-percent asks for (to check the checker: with
HOOKD_MAX_ATTEMPTS=1 those deliveries are dead-lettered, and the run must report them lost).

`marker` is the vendor request's marker, found in the delivered envelope at --marker-path (dotted, e.g.
payload.record.id); `event_id` is the envelope's `id`; `webhook_id` and `delivery_id` are the `webhook-id` and
`X-Hookd-Delivery-Id` headers. GET /stats answers {"deliveries": N, "last_ms": T, "unparsed": N} (T: when the last
delivery arrived, epoch ms; 0 before the first). SIGTERM flushes the ledger and exits.

    sink.py --port PORT --ledger FILE [--marker-path payload.record.id] [--fail-percent P]
"""
import argparse
import asyncio
import json
import random
import signal
import time

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
OK_CLOSE = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
FAILED = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"
# Headers a request may not exceed: hookd's are a few hundred bytes.
MAX_HEAD = 64 * 1024


class Ledger:
    """Delivery lines buffered in memory and written out every 100 ms (and on exit)."""

    def __init__(self, path, marker_path, fail_percent):
        self.file = open(path, "a", encoding="utf-8")
        self.marker_path = marker_path.split(".")
        self.lines = []
        self.deliveries = 0
        self.unparsed = 0
        self.last_ms = 0
        self.fail_share = fail_percent / 100

    def record(self, headers, body):
        """Records a delivery; returns the status to answer with."""
        now_ms = time.time_ns() // 1_000_000
        marker, event_id = self.parse(body)
        status = 503 if self.fail_share and random.random() < self.fail_share else 200
        self.deliveries += 1
        self.last_ms = now_ms
        self.lines.append(
            f"{now_ms}\t{marker}\t{event_id}\t{headers.get('webhook-id', '-')}\t"
            f"{headers.get('x-hookd-delivery-id', '-')}\t{headers.get('x-hookd-attempt', '-')}\t{status}\n"
        )
        return status

    def parse(self, body):
        try:
            value = json.loads(body)
            event_id = value.get("id", "-")
            for part in self.marker_path:
                value = value[part]
            return str(value), event_id
        except (ValueError, KeyError, TypeError, AttributeError):
            self.unparsed += 1
            return "-", "-"

    def flush(self):
        if self.lines:
            self.file.write("".join(self.lines))
            self.file.flush()
            self.lines.clear()

    def stats(self):
        return json.dumps({"deliveries": self.deliveries, "last_ms": self.last_ms, "unparsed": self.unparsed})


class HttpConnection(asyncio.Protocol):
    """A minimal HTTP/1.1 server side: Content-Length bodies (what hookd's client sends), pipelining tolerated."""

    def __init__(self, ledger):
        self.ledger = ledger
        self.buffer = b""
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.buffer += data
        while self.transport is not None and self.handle_one():
            pass

    def handle_one(self):
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(self.buffer) > MAX_HEAD:
                self.transport.close()
                self.transport = None
            return False
        lines = self.buffer[:end].decode("latin-1").split("\r\n")
        method, target = (lines[0].split(" ") + ["", ""])[:2]
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0") or 0)
        if len(self.buffer) < end + 4 + length:
            return False
        body = self.buffer[end + 4 : end + 4 + length]
        self.buffer = self.buffer[end + 4 + length :]
        self.respond(method, target, headers, body)
        return True

    def respond(self, method, target, headers, body):
        if method == "GET" and target.startswith("/stats"):
            payload = self.ledger.stats().encode()
            self.transport.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                + str(len(payload)).encode()
                + b"\r\n\r\n"
                + payload
            )
            return
        if method == "POST" and self.ledger.record(headers, body) != 200:
            self.transport.write(FAILED)
            return
        if headers.get("connection", "").lower() == "close":
            self.transport.write(OK_CLOSE)
            self.transport.close()
            self.transport = None
        else:
            self.transport.write(OK)


async def serve(args):
    ledger = Ledger(args.ledger, args.marker_path, args.fail_percent)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    server = await loop.create_server(lambda: HttpConnection(ledger), "127.0.0.1", args.port, backlog=1024)
    try:
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), 0.1)
            except asyncio.TimeoutError:
                pass
            ledger.flush()
    finally:
        server.close()
        ledger.flush()
        ledger.file.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ledger", required=True)
    parser.add_argument("--marker-path", default="payload.record.id")
    parser.add_argument("--fail-percent", type=float, default=0.0)
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
