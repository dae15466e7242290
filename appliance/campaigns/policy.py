"""The decision table: what one failed send means for its row, its person and the lanes.

Pure: no I/O, no clock, no event loop. The dispatcher applies it to errors the API answers
at once, the result writer to ``failed`` statuses that arrive later by webhook, so an error
code means the same thing whichever way it reached us.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from appliance.campaigns.model import EXPIRED, FAILED, NEEDS_TEMPLATE
from appliance.cloudapi.codes import Action, retry_delay, rule_for

THROUGHPUT_CODES = frozenset({130429, 4, 80007})  # the number's rate: slow every lane down
AUTH_CODES = frozenset({0, 3, 10, 190, *range(200, 300)})  # token or permissions: stop all
MARKETING_STOPPED = 131050
USER_ID_REFUSED = 131062  # this message cannot go to a business-scoped user id


class Verdict(StrEnum):
    """What happens to the row."""

    RETRY = "retry"  # sent again at ``retry_at``
    FINAL = "final"  # ends in ``state``
    HOLD = "hold"  # every lane waits for a working token; the row goes again then
    ALERT = "alert"  # the account is stopped: campaign paused, staff told; the row waits


@dataclass(frozen=True, slots=True)
class Failure:
    """One failed send as the table sees it."""

    code: int | None
    http_status: int | None = None
    attempts: int = 0  # attempts already made for this row
    reply: bool = False  # a conversation reply (no campaign behind it)
    expires_at: float | None = None  # the campaign's end, if it has one
    now: float = 0.0
    asynchronous: bool = False  # a failed-status webhook: the request had been accepted
    by_user_id: bool = False  # addressed by the business-scoped user id, not the number


@dataclass(frozen=True, slots=True)
class Decision:
    """The table's answer; the caller carries it out."""

    verdict: Verdict
    meaning: str
    state: str = FAILED
    retry_at: float | None = None
    counts_attempt: bool = True
    skip_person: bool = False  # the person's remaining parts end unsent, with this reason
    marketing_opt_out: bool = False
    template_path: bool = False  # outside the window: the campaign's template instead
    slow_down: float = 0.0  # the number's throughput was hit: slow every lane
    outage: bool = False  # the server is in trouble: hold every lane briefly
    to_number: bool = False  # ends here; the same message goes once to the person's number


def decide(failure: Failure) -> Decision:
    """The decision for ``failure`` (see ``cloudapi.codes.RULES`` for each code's meaning)."""
    code = failure.code
    rule = rule_for(code, failure.http_status)
    meaning = rule.meaning
    if rule.action is Action.RETRY:
        if code in THROUGHPUT_CODES:
            return Decision(
                Verdict.RETRY,
                meaning,
                retry_at=failure.now + rule.first_delay,
                counts_attempt=False,
                slow_down=rule.first_delay,
            )
        return _retry_or_final(failure, meaning, outage=True)
    if rule.action is Action.RETRY_RECIPIENT:
        if failure.reply:
            return Decision(Verdict.FINAL, meaning)
        return _retry_or_final(failure, meaning, outage=False)
    if rule.action is Action.NEEDS_TEMPLATE:
        return Decision(
            Verdict.FINAL,
            meaning,
            state=NEEDS_TEMPLATE,
            skip_person=True,
            template_path=not failure.reply,
        )
    if rule.action is Action.PERMANENT:
        if code == USER_ID_REFUSED and failure.by_user_id:
            return Decision(Verdict.FINAL, meaning, to_number=True)
        return Decision(
            Verdict.FINAL,
            meaning,
            skip_person=rule.recipient,
            marketing_opt_out=code == MARKETING_STOPPED,
        )
    if code in AUTH_CODES:
        return Decision(Verdict.HOLD, meaning, retry_at=failure.now, counts_attempt=False)
    if failure.reply:
        return Decision(Verdict.FINAL, meaning)
    return Decision(Verdict.ALERT, meaning, retry_at=failure.now, counts_attempt=False)


def _retry_or_final(failure: Failure, meaning: str, *, outage: bool) -> Decision:
    rule = rule_for(failure.code, failure.http_status)
    delay = retry_delay(rule, failure.attempts + 1)
    if delay is None:
        return Decision(Verdict.FINAL, meaning, outage=outage and not failure.asynchronous)
    retry_at = failure.now + delay
    if failure.expires_at is not None and retry_at >= failure.expires_at:
        # News that would arrive after its end is not news: it expires, never sent late.
        return Decision(
            Verdict.FINAL, f"{meaning}; would arrive after the campaign ends", state=EXPIRED
        )
    return Decision(
        Verdict.RETRY, meaning, retry_at=retry_at, outage=outage and not failure.asynchronous
    )
