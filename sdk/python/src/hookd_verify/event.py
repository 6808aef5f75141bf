"""The event envelope hookd delivers, parsed into a typed object."""

import json
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, Union

from .errors import InvalidPayloadError


class EventType(str, Enum):
    """Every event type hookd sends today. Newer servers may send others: Event.event is then a plain str."""

    INTEGRATED_ACCOUNT_CREATED = "integrated_account:created"
    INTEGRATED_ACCOUNT_UPDATED = "integrated_account:updated"
    INTEGRATED_ACCOUNT_DELETED = "integrated_account:deleted"
    INTEGRATED_ACCOUNT_ACTIVE = "integrated_account:active"
    INTEGRATED_ACCOUNT_REACTIVATED = "integrated_account:reactivated"
    INTEGRATED_ACCOUNT_AUTHENTICATION_ERROR = "integrated_account:authentication_error"
    INTEGRATED_ACCOUNT_FORBIDDEN_ERROR = "integrated_account:forbidden_error"
    INTEGRATED_ACCOUNT_POST_INSTALL_ERROR = "integrated_account:post_install_error"
    INTEGRATED_ACCOUNT_VALIDATION_ERROR = "integrated_account:validation_error"
    INTEGRATED_ACCOUNT_POST_CONNECT_FORM_SUBMITTED = "integrated_account:post_connect_form_submitted"
    SYNC_JOB_RUN_CREATED = "sync_job_run:created"
    SYNC_JOB_RUN_UPDATED = "sync_job_run:updated"
    SYNC_JOB_RUN_STARTED = "sync_job_run:started"
    SYNC_JOB_RUN_COMPLETED = "sync_job_run:completed"
    SYNC_JOB_RUN_FAILED = "sync_job_run:failed"
    SYNC_JOB_RUN_DELETED = "sync_job_run:deleted"
    SYNC_JOB_RUN_RECORD = "sync_job_run:record"
    SYNC_JOB_RUN_RECORD_ERROR = "sync_job_run:record_error"
    SYNC_JOB_RUN_RATE_LIMITED = "sync_job_run:rate_limited"
    RECORD_CREATED = "record:created"
    RECORD_UPDATED = "record:updated"
    RECORD_DELETED = "record:deleted"
    RECORD_META = "record:meta"
    ENVIRONMENT_INTEGRATION_CREATED = "environment_integration:created"
    ENVIRONMENT_INTEGRATION_UPDATED = "environment_integration:updated"
    ENVIRONMENT_INTEGRATION_DELETED = "environment_integration:deleted"
    API_TOKEN_CREATED = "api_token:created"
    API_TOKEN_DELETED = "api_token:deleted"
    SYNC_JOB_CRON_TRIGGER_FAILED = "sync_job_cron_trigger:failed"
    BATCH_JOB_CREATED = "batch_job:created"
    BATCH_JOB_UPDATED = "batch_job:updated"
    BATCH_JOB_STARTED = "batch_job:started"
    BATCH_JOB_COMPLETED = "batch_job:completed"
    BATCH_JOB_FAILED = "batch_job:failed"
    BATCH_JOB_DELETED = "batch_job:deleted"
    TEST = "test"
    WEBHOOK_DISABLED = "webhook:disabled"


@dataclass(frozen=True)
class Event:
    """One delivery's envelope. `payload` is the event's JSON value as parsed by the json module."""

    id: str  # the same on every retry and replay: de-duplicate by it
    event: Union[EventType, str]
    payload: Any
    environment_id: str
    created_at: str  # ISO 8601, UTC, milliseconds ("2026-01-01T00:00:00.000Z")
    webhook_id: str

    @property
    def is_known_type(self) -> bool:
        return isinstance(self.event, EventType)

    @property
    def created_at_datetime(self) -> datetime:
        return datetime.fromisoformat(self.created_at.replace("Z", "+00:00"))


_STRING_FIELDS = ("id", "event", "environment_id", "created_at", "webhook_id")


def parse_event(body: bytes) -> Event:
    """Parses a (verified) body. Raises InvalidPayloadError when it is not hookd's envelope."""
    try:
        obj = json.loads(body)
    except ValueError as e:  # also invalid UTF-8
        raise InvalidPayloadError(f"body is not JSON: {e}") from None
    if not isinstance(obj, dict):
        raise InvalidPayloadError("body is not a JSON object")
    for name in _STRING_FIELDS:
        if not isinstance(obj.get(name), str):
            raise InvalidPayloadError(f"envelope lacks the string member {name!r}")
    if "payload" not in obj:
        raise InvalidPayloadError("envelope lacks the member 'payload'")
    try:
        event: Union[EventType, str] = EventType(obj["event"])
    except ValueError:
        event = obj["event"]  # a type newer than this library: still delivered
    return Event(
        id=obj["id"],
        event=event,
        payload=obj["payload"],
        environment_id=obj["environment_id"],
        created_at=obj["created_at"],
        webhook_id=obj["webhook_id"],
    )
