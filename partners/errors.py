"""What a partner call can end in, besides an answer.

A TransientError is worth retrying (a timeout, a refused connection, a 5xx, a 429); a PermanentError
is the partner's considered refusal (a mismatch, no record, a failed card), carrying a reason code and
the field the applicant must fix. No Django here: the simulators share these names.
"""


class PartnerError(Exception):
    """`value` is what the partner holds in `field` when it refuses for a difference (a bank's customer name).
    The transport fills in `partner`, `operation` and `application_id`: what the call was about."""

    def __init__(
        self, message: str, *, code: str = "", field: str = "", value: str = "", http_status: int | None = None
    ):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field
        self.value = value
        self.http_status = http_status
        self.partner = ""
        self.operation = ""
        self.application_id: int | None = None


class TransientError(PartnerError):
    pass


class PermanentError(PartnerError):
    pass
