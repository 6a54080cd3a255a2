"""The transport every partner client shares: timeouts, idempotency keys, retryable vs permanent errors,
and one PartnerCall row per request for the staff's request log.
"""

import logging
import threading
import time

import requests
from django.conf import settings
from django.utils import timezone

from .errors import PermanentError, TransientError
from .models import PartnerCall

logger = logging.getLogger("partners")
_local = threading.local()


def _session() -> requests.Session:
    # One pooled session per thread: a worker reuses its connections to each partner.
    if not hasattr(_local, "session"):
        _local.session = requests.Session()
    return _local.session


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
        sent_at = timezone.now()
        started = time.monotonic()
        status = None
        try:
            response = _session().post(
                self.base_url + path,
                json=payload,
                timeout=self.timeout,
                headers={"Idempotency-Key": idempotency_key} if idempotency_key else {},
            )
            status = response.status_code
            body = _json(response)
        except requests.RequestException as error:
            self._log(
                log,
                operation,
                application_id,
                idempotency_key,
                attempt,
                PartnerCall.Result.TRANSIENT,
                None,
                type(error).__name__,
                sent_at,
                started,
            )
            fault = TransientError(f"{self.partner} did not answer: {type(error).__name__}")
            fault.partner, fault.operation, fault.application_id = self.partner, operation, application_id
            raise fault from error

        if status >= 500 or status == 429:
            self._log(
                log,
                operation,
                application_id,
                idempotency_key,
                attempt,
                PartnerCall.Result.TRANSIENT,
                status,
                body.get("code", ""),
                sent_at,
                started,
            )
            fault = TransientError(f"{self.partner} answered {status}", http_status=status)
            fault.partner, fault.operation, fault.application_id = self.partner, operation, application_id
            raise fault
        if status >= 400:
            self._log(
                log,
                operation,
                application_id,
                idempotency_key,
                attempt,
                PartnerCall.Result.REFUSED,
                status,
                body.get("code", ""),
                sent_at,
                started,
            )
            refusal = PermanentError(
                body.get("message", f"{self.partner} refused"),
                code=body.get("code", "refused"),
                field=body.get("field", ""),
                value=str(body.get("value", "")),
                http_status=status,
            )
            refusal.partner, refusal.operation, refusal.application_id = self.partner, operation, application_id
            raise refusal
        self._log(
            log,
            operation,
            application_id,
            idempotency_key,
            attempt,
            PartnerCall.Result.OK,
            status,
            body.get("result", ""),
            sent_at,
            started,
        )
        return body

    def _log(self, log, operation, application_id, key, attempt, result, status, detail, sent_at, started) -> None:
        latency_ms = int((time.monotonic() - started) * 1000)
        if not log:
            logger.info(
                "partner=%s op=%s result=%s status=%s latency_ms=%s",
                self.partner,
                operation,
                result,
                status,
                latency_ms,
            )
            return
        PartnerCall.objects.create(
            partner=self.partner,
            operation=operation,
            application_id=application_id,
            idempotency_key=key,
            attempt=attempt,
            result=result,
            http_status=status,
            detail=str(detail)[:300],
            latency_ms=latency_ms,
            sent_at=sent_at,
            answered_at=timezone.now() if status is not None else None,
        )
        # Log lines carry ids and outcomes only, never a name, ID number or phone.
        logger.info(
            "partner=%s op=%s application=%s attempt=%s result=%s status=%s latency_ms=%s",
            self.partner,
            operation,
            application_id,
            attempt,
            result,
            status,
            latency_ms,
        )


def _json(response: requests.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
