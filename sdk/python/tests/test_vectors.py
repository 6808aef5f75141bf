"""Every vector of sdk/testdata: hookd's own (made by its signer) and the Standard Webhooks project's."""

import json
from typing import Optional

import pytest

from conftest import load
from hookd_verify import EventType, Scheme, Webhook, WebhookVerificationError

HOOKD = load("vectors.json")
STANDARD = load("standard_webhooks_vectors.json")


def outcome(case: dict, scheme: Scheme, parse: bool) -> str:
    try:
        tolerance: Optional[int] = case.get("tolerance_seconds")
        webhook = Webhook(case["secret"]) if tolerance is None else Webhook(case["secret"], tolerance=tolerance)
        body = case["body"].encode("utf-8")
        if parse:
            event = webhook.verify(body, case["headers"], scheme=scheme, now=case["now"])
            check_event(case, event)
        else:
            webhook.verify_signature(body, case["headers"], scheme=scheme, now=case["now"])
        return "ok"
    except WebhookVerificationError as e:
        return e.kind.value


def check_event(case: dict, event) -> None:
    want = case["event"]
    assert event.id == want["id"]
    assert event.event == want["event"]
    assert event.is_known_type == want["known_event_type"]
    assert event.environment_id == want["environment_id"]
    assert event.created_at == want["created_at"]
    assert event.webhook_id == want["webhook_id"]
    assert event.payload == json.loads(want["payload_json"])


@pytest.mark.parametrize("scheme", list(Scheme))
@pytest.mark.parametrize("case", HOOKD["cases"], ids=lambda c: c["name"])
def test_hookd_vector(case: dict, scheme: Scheme) -> None:
    expected = case["expect"][scheme.value]
    assert outcome(case, scheme, parse=True) == expected
    # The signature alone passes wherever only the parse fails.
    assert outcome(case, scheme, parse=False) == ("ok" if expected == "invalid_payload" else expected)


@pytest.mark.parametrize("case", STANDARD["cases"], ids=lambda c: c["name"])
def test_standard_webhooks_vector(case: dict) -> None:
    assert outcome(case, Scheme.STANDARD_WEBHOOKS, parse=False) == case["expect"]["standard_webhooks"]


def test_vectors_cover_every_outcome() -> None:
    seen = {c["expect"][s.value] for c in HOOKD["cases"] for s in Scheme}
    assert seen == set(HOOKD["error_kinds"]) | {"ok"}


def test_event_types_match_the_server() -> None:
    assert [t.value for t in EventType] == HOOKD["event_types"]


def test_default_tolerance_is_the_vectors_default() -> None:
    from hookd_verify import DEFAULT_TOLERANCE

    assert DEFAULT_TOLERANCE.total_seconds() == HOOKD["default_tolerance_seconds"]
