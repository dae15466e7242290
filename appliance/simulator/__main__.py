"""``python -m appliance.simulator``: run the simulator alone (benchmarks, training)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal

from appliance.simulator import Settings, Simulator


def main() -> None:
    """Serve until SIGTERM or SIGINT."""
    parser = argparse.ArgumentParser(prog="python -m appliance.simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--webhook-url", default="", help="the appliance's public /webhook URL")
    parser.add_argument("--access-token", default=Settings.access_token)
    parser.add_argument("--app-secret", default=Settings.app_secret)
    parser.add_argument("--rate", type=float, default=Settings.rate)
    parser.add_argument("--tier", type=int, default=Settings.tier)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings(
        access_token=args.access_token,
        app_secret=args.app_secret,
        webhook_url=args.webhook_url,
        rate=args.rate,
        tier=args.tier,
    )

    async def run() -> None:
        sim = Simulator(settings)
        url = sim.bind(args.host, args.port)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await sim.start()
        print(f"simulator listening on {url}", flush=True)  # noqa: T201 - read by the caller
        try:
            await stop.wait()
        finally:
            await sim.stop()

    asyncio.run(run())


if __name__ == "__main__":
    main()
