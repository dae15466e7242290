"""Graph API errors as Meta words them: the code table and the refusal the simulator raises."""

from __future__ import annotations

# Graph error texts by code: (message title, details), in Meta's wording where known.
ERRORS: dict[int, tuple[str, str]] = {
    1: ("An unknown error occurred", "Please try again later."),
    2: ("Service temporarily unavailable", "The service is temporarily unavailable."),
    100: ("Invalid parameter", "Invalid parameter"),
    131008: ("Required parameter is missing", "A required parameter is missing."),
    131009: ("Parameter value is not valid", "One or more parameter values are invalid."),
    130429: ("Rate limit hit", "Cloud API message throughput has been reached."),
    131056: (
        "(Business Account, Consumer Account) pair rate limit hit",
        "Too many messages sent from the sender phone number to the same recipient phone "
        "number in a short period of time.",
    ),
    131047: (
        "Re-engagement message",
        "Message failed to send because more than 24 hours have passed since the customer "
        "last replied to this number.",
    ),
    131048: (
        "Spam rate limit hit",
        "Message failed to send because there are restrictions on how many messages can be "
        "sent from this phone number.",
    ),
    131026: ("Message undeliverable", "Message Undeliverable."),
    131053: ("Media upload error", "Unable to upload the media used in the message."),
    132000: (
        "Number of parameters does not match the expected number of params",
        "The number of variable parameter values does not match the template.",
    ),
    132012: (
        "Parameter format does not match format in the created template",
        "A parameter's format does not match the template.",
    ),
    132018: (
        "There\u2019s an issue with the parameters in your template",
        "A parameter does not fit the template.",
    ),
    132001: (
        "Template name does not exist in the translation",
        "The template does not exist in this language or is not approved.",
    ),
    190: ("Error validating access token", "The access token is invalid or has expired."),
    131050: (
        "Unable to deliver the message",
        "This recipient has chosen to stop receiving marketing messages on WhatsApp.",
    ),
    131049: (
        "This message was not delivered to maintain healthy ecosystem engagement.",
        "In order to maintain a healthy ecosystem engagement, the message failed to be delivered.",
    ),
    131031: ("Account has been locked", "The business account is restricted or disabled."),
    131042: ("Business eligibility payment issue", "There was an error related to payment."),
    132015: ("Template is paused", "The template is paused due to low quality."),
    131062: (
        "Business-scoped user ID not supported",
        "The recipient's user id is not supported for this message; use the phone number.",
    ),
}


class Rejected(Exception):
    """A request the real API would refuse: Graph code, HTTP status and details."""

    def __init__(self, code: int, details: str = "", http_status: int = 400) -> None:
        super().__init__(f"{code}: {details}")
        self.code = code
        self.details = details or ERRORS.get(code, ("", ""))[1]
        self.http_status = http_status
