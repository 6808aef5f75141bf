#!/usr/bin/env python3
"""The ledger sender of tools/chaos: a vendor posting signed webhooks at a steady rate, remembering every answer.

Each request is a Shopify order (bench/data/shopify_order.json) whose order `id` is a marker unique to this request
(the integration's transform carries it into the delivered event as payload.record.id), with its own
X-Shopify-Webhook-Id and X-Shopify-Hmac-Sha256 = base64(HMAC-SHA256(secret, raw body)), for one of several connected
accounts in turn (each its own URL and secret; Kafka's key is the account, so they spread over the partitions and
so over both dispatchers). Requests go round robin to the ingest targets; a refused connection (that ingest is
down) is tried once on the next target, as a load balancer would. One ledger line per request
(tab-separated), written when it is answered:

    marker  target  sent_ms  answered_ms  outcome  status  event_ids

outcome: `ack` (2xx: hookd says the event is durable), `refused` (another status), `error` (connection refused,
reset, timeout; `status` then says which). event_ids: the ids of the answer's events, comma-separated, or `-`.
SIGTERM stops sending; the requests in flight are waited for (up to the request timeout), then it exits.

    sender.py --config FILE    (JSON: targets [URL...], accounts [{path, secret}...], rate, concurrency,
                                timeout_s, ledger, body_file, marker_base)
"""
import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import re
import signal
import time

EVENT_ID = re.compile(rb'"id"\s*:\s*"([^"]+)"')


def now_ms():
    return time.time_ns() // 1_000_000


class Target:
    """One ingest process: host, port and its idle keep-alive connections."""

    def __init__(self, url):
        hostport = url.split("://", 1)[1].rstrip("/")
        self.host, port = hostport.rsplit(":", 1)
        self.port = int(port)
        self.name = hostport
        self.idle = []


class RequestFailed(Exception):
    def __init__(self, reason, sent):
        super().__init__(reason)
        self.reason = reason
        self.sent = sent  # False: nothing reached the server (a refused connection), so another may take it


async def read_response(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    length, close = 0, False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value.strip())
        elif name == "connection" and value.strip().lower() == "close":
            close = True
    body = await reader.readexactly(length) if length else b""
    return status, body, close


class Sender:
    def __init__(self, config):
        self.config = config
        self.targets = [Target(url) for url in config["targets"]]
        self.accounts = [(a["path"], a["secret"].encode()) for a in config["accounts"]]
        with open(config["body_file"], "rb") as f:
            order = json.loads(f.read())
        # The body is rendered per request with the marker as the order id; everything else stays as the vendor sent.
        order["id"] = 0
        self.body_template = json.dumps(order, separators=(",", ":")).replace('"id":0', '"id":{marker}', 1)
        self.ledger = open(config["ledger"], "a", encoding="utf-8")
        self.slots = asyncio.Semaphore(config["concurrency"])
        self.in_flight = set()
        self.counts = {"sent": 0, "ack": 0, "refused": 0, "error": 0}

    def request_bytes(self, target, index, marker):
        path, secret = self.accounts[index % len(self.accounts)]
        body = self.body_template.replace("{marker}", str(marker)).encode()
        signature = base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest()).decode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {target.name}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nX-Shopify-Topic: orders/create\r\n"
            f"X-Shopify-Shop-Domain: chaos.myshopify.com\r\nX-Shopify-API-Version: 2024-10\r\n"
            f"X-Shopify-Webhook-Id: chaos-{marker}\r\nX-Shopify-Hmac-Sha256: {signature}\r\n\r\n"
        )
        return head.encode() + body

    async def exchange(self, target, data):
        # A kept-alive connection the server closed meanwhile (it was killed, or timed the connection out) is
        # dropped unused: a request written into it would fail without the server ever seeing it.
        while target.idle and (target.idle[-1][0].at_eof() or target.idle[-1][1].is_closing()):
            target.idle.pop()[1].close()
        if target.idle:
            reader, writer = target.idle.pop()
        else:
            try:
                reader, writer = await asyncio.wait_for(asyncio.open_connection(target.host, target.port), 3)
            except (OSError, asyncio.TimeoutError) as e:
                raise RequestFailed("connect_" + type(e).__name__, sent=False) from e
        try:
            writer.write(data)
            await writer.drain()
            status, body, close = await read_response(reader)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, IndexError) as e:
            writer.close()
            raise RequestFailed(type(e).__name__, sent=True) from e
        except asyncio.CancelledError:
            writer.close()
            raise
        if close:
            writer.close()
        else:
            target.idle.append((reader, writer))
        return status, body

    async def post(self, index, marker):
        sent_ms = now_ms()
        outcome, status, event_ids, used = "error", "-", "-", self.targets[index % len(self.targets)]
        try:
            for attempt in range(2):
                used = self.targets[(index + attempt) % len(self.targets)]
                try:
                    code, body = await asyncio.wait_for(
                        self.exchange(used, self.request_bytes(used, index, marker)), self.config["timeout_s"]
                    )
                except RequestFailed as e:
                    status = e.reason
                    if e.sent or attempt == 1:
                        break
                    continue
                except asyncio.TimeoutError:
                    status = "timeout"
                    break
                outcome = "ack" if 200 <= code < 300 else "refused"
                status = str(code)
                ids = [m.decode() for m in EVENT_ID.findall(body)]
                event_ids = ",".join(ids) if ids else "-"
                break
        finally:
            self.counts[outcome] += 1
            self.ledger.write(f"{marker}\t{used.name}\t{sent_ms}\t{now_ms()}\t{outcome}\t{status}\t{event_ids}\n")
            self.slots.release()

    async def run(self, stop):
        period = 1.0 / self.config["rate"]
        next_at = time.monotonic()
        index = 0
        flushed = time.monotonic()
        while not stop.is_set():
            delay = next_at - time.monotonic()
            if delay > 0:
                try:
                    await asyncio.wait_for(stop.wait(), delay)
                    break
                except asyncio.TimeoutError:
                    pass
            # A full set of requests in flight holds the sender back; the rate does not catch up afterwards.
            await self.slots.acquire()
            next_at = max(next_at + period, time.monotonic() - period)
            task = asyncio.create_task(self.post(index, self.config["marker_base"] + index))
            self.in_flight.add(task)
            task.add_done_callback(self.in_flight.discard)
            index += 1
            self.counts["sent"] += 1
            if time.monotonic() - flushed > 0.5:
                self.ledger.flush()
                flushed = time.monotonic()
        if self.in_flight:
            await asyncio.wait(list(self.in_flight))
        self.ledger.flush()
        self.ledger.close()
        print(json.dumps(self.counts), flush=True)


async def main_async(config):
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    await Sender(config).run(stop)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", required=True)
    with open(parser.parse_args().config, encoding="utf-8") as f:
        config = json.load(f)
    asyncio.run(main_async(config))


if __name__ == "__main__":
    main()
