"""The periodic-job helper, on a fake sleep: delays are recorded, never waited out."""

import asyncio
import logging

import pytest

from appliance.core.periodic import Periodic

pytestmark = pytest.mark.fast


class FakeSleep:
    """Records each delay and returns at once (after letting other tasks run)."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        await asyncio.sleep(0)


async def _runs(job: Periodic, count: int) -> None:
    await job.start()
    try:
        await job.wait_for_run(count)
    finally:
        await job.stop()


async def _nothing() -> None:
    return None


async def test_a_first_delay_then_the_interval_spread_by_the_jitter():
    sleep = FakeSleep()
    job = Periodic("daily", _nothing, interval=100.0, first_delay=3.0, jitter=0.05, sleep=sleep)
    await _runs(job, 3)
    assert sleep.delays[0] == 3.0
    assert all(95.0 <= d <= 105.0 for d in sleep.delays[1:3])


async def test_a_random_first_delay_within_its_range():
    sleep = FakeSleep()
    await _runs(Periodic("poll", _nothing, interval=1.0, first_delay=(1.0, 5.0), sleep=sleep), 1)
    assert 1.0 <= sleep.delays[0] <= 5.0


async def test_the_job_may_choose_its_next_delay_and_the_interval_is_read_each_time():
    sleep, answers, interval = FakeSleep(), [42.0, None, None], [10.0]

    async def backing_off() -> float | None:
        answer = answers.pop(0) if answers else None
        interval[0] += 1
        return answer

    await _runs(Periodic("feed", backing_off, interval=lambda: interval[0], sleep=sleep), 3)
    assert sleep.delays[:4] == [0.0, 42.0, 12.0, 13.0]


async def test_a_failure_is_logged_with_the_jobs_name_and_the_loop_goes_on(caplog):
    calls = []

    async def flaky() -> None:
        calls.append(len(calls))
        if len(calls) == 1:
            raise RuntimeError("database is locked")

    with caplog.at_level(logging.ERROR, logger="appliance.core.periodic"):
        await _runs(Periodic("retention", flaky, interval=1.0, sleep=FakeSleep()), 2)
    assert len(calls) >= 2
    (record,) = caplog.records
    assert record.getMessage() == "retention failed" and "database is locked" in caplog.text


async def test_stop_cancels_a_run_in_progress():
    entered, cancelled = asyncio.Event(), asyncio.Event()

    async def slow() -> None:
        entered.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    job = Periodic("slow", slow, interval=1.0, sleep=FakeSleep())
    await job.start()
    await entered.wait()
    await job.stop()
    assert cancelled.is_set() and job.runs == 0


async def test_run_once_runs_the_job_now_and_its_errors_reach_the_caller():
    async def broken() -> None:
        raise RuntimeError("no network")

    job = Periodic("sync", broken, interval=1.0)
    with pytest.raises(RuntimeError, match="no network"):
        await job.run_once()
