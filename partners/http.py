"""The transport every partner client shares: timeouts, idempotency keys, retryable vs permanent errors,
and one PartnerCall row per request for the staff's request log.
"""

import datetime
import logging
import threading
import time
from dataclasses import dataclass, field

import requests
from django.conf import settings
from django.utils import timezone

from .errors import PartnerError, PermanentError, TransientError
from .models import PartnerCall

logger = logging.getLogger("partners")
_local = threading.local()


def _session() -> requests.Session:
    # One pooled session per thread: a worker reuses its connections to each partner.
    if not hasattr(_local, "session"):
        _local.session = requests.Session()
    return _local.session


@dataclass
class _Call:
    """One request as the request log records it."""

    partner: str
    operation: str
    application_id: int | None
    idempotency_key: str
    attempt: int
    sent_at: datetime.datetime = field(default_factory=timezone.now)
    started: float = field(default_factory=time.monotonic)

    def error(self, error: PartnerError) -> PartnerError:
        """The error, saying what the call was about (the failure staff see names it)."""
        error.partner, error.operation, error.application_id = self.partner, self.operation, self.application_id
        return error

    def record(self, result: str, status: int | None, detail: str, *, log: bool) -> None:
        latency_ms = int((time.monotonic() - self.started) * 1000)
        if log:
            PartnerCall.objects.create(
                partner=self.partner,
                operation=self.operation,
                application_id=self.application_id,
                idempotency_key=self.idempotency_key,
                attempt=self.attempt,
                result=result,
                http_status=status,
                detail=str(detail)[:300],
                latency_ms=latency_ms,
                sent_at=self.sent_at,
                answered_at=timezone.now() if status is not None else None,
            )
        # Log lines carry ids and outcomes only, never a name, ID number or phone.
        logger.info(
            "partner=%s op=%s application=%s attempt=%s result=%s status=%s latency_ms=%s",
            self.partner,
            self.operation,
            self.application_id,
            self.attempt,
            result,
            status,
            latency_ms,
        )


class PartnerClient:
    partner = ""

    def __init__(self, base_url: str | None = None, *, timeout: tuple[float, float] | None = None):
        self.base_url = (base_url or settings.PARTNER_URLS[self.partner]).rstrip("/")
        self.timeout = timeout or (settings.PARTNER_CONNECT_TIMEOUT, settings.PARTNER_READ_TIMEOUT)

    def post(
        self,
        path: str,
        payload: dict,
        *,
        operation: str,
        idempotency_key: str = "",
        application_id: int | None = None,
        attempt: int = 1,
        log: bool = True,
    ) -> dict:
        """The partner's JSON answer; a TransientError to retry (no answer, 5xx, 429) or a PermanentError
        (any other 4xx: the partner's considered refusal, with its code and the field it names)."""
        call = _Call(self.partner, operation, application_id, idempotency_key, attempt)
        try:
            response = _session().post(
                self.base_url + path,
                json=payload,
                timeout=self.timeout,
                headers={"Idempotency-Key": idempotency_key} if idempotency_key else {},
            )
        except requests.RequestException as error:
            call.record(PartnerCall.Result.TRANSIENT, None, type(error).__name__, log=log)
            raise call.error(TransientError(f"{self.partner} did not answer: {type(error).__name__}")) from error
        status, body = response.status_code, _json(response)
        if status >= 500 or status == 429:
            call.record(PartnerCall.Result.TRANSIENT, status, body.get("code", ""), log=log)
            raise call.error(TransientError(f"{self.partner} answered {status}", http_status=status))
        if status >= 400:
            call.record(PartnerCall.Result.REFUSED, status, body.get("code", ""), log=log)
            raise call.error(
                PermanentError(
                    body.get("message", f"{self.partner} refused"),
                    code=body.get("code", "refused"),
                    field=body.get("field", ""),
                    value=str(body.get("value", "")),  # what the partner holds: the applicant sees what differs
                    http_status=status,
                )
            )
        call.record(PartnerCall.Result.OK, status, body.get("result", ""), log=log)
        return body


def _json(response: requests.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
