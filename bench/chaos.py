"""Chaos: N concurrent shoppers on loopback for a bounded time while the API process is
killed (SIGKILL, sometimes SIGTERM) and restarted, responses are hung up at random byte
offsets, and Redis is frozen (SIGSTOP) or restarted. Writes bench/results/chaos.json:

- acknowledged writes lost (target 0) and duplicated (0), sessions lost (0);
- 5xx other than a 503 with Retry-After during an injected outage (target 0);
- seconds to serve a session again after a crash mid-turn, counted from the restarted
  API answering /healthz (target <= 5), and how long the restart itself took.

    .venv/bin/python bench/chaos.py --seconds 60 --shoppers 8 --backend both
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._chaos import (  # noqa: E402
    ApiProcess,
    Shopper,
    Tally,
    cart_quantity,
    free_port,
    listed_sessions,
    responder,
    time_to_serve,
)
from bench._support import percentile, write_result  # noqa: E402


def build_catalog(folder: Path) -> dict[str, Any]:
    """A small demo catalog, and one buyable product (id and options) from it."""
    from shopagent.retrieval import build_demo_catalog
    from shopagent.settings import Settings

    settings = Settings(_env_file=None, data_dir=folder, demo_catalog_size=60)
    catalog = build_demo_catalog(settings, n=60)
    try:
        for hit in catalog.search("", {}, page_size=50).hits:
            pid = hit.product.id
            product = catalog.get_product(pid)
            if product is None:
                continue
            for v in product.variants:
                if v.available:
                    opts = {k: str(x) for k, x in v.options.items() if k in ("size", "color")}
                    return {"product_id": product.id, **opts}
    finally:
        catalog.close()
    raise SystemExit("no product in stock")


class RedisProcess:
    """A redis-server with an append-only file, so a restart keeps the state."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="chaos-redis-")
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise SystemExit("redis-server not installed: run `make system-deps`")
        self.proc = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--dir",
                self.dir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(0.3)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.terminate()
            self.proc.wait(10)


ALL_FAULTS = ("SIGKILL", "SIGKILL", "SIGTERM", "redis_freeze", "redis_restart")


async def run(
    backend: str,
    seconds: float,
    shoppers: int,
    kill_every_s: float,
    seed: int = 1,
    faults: tuple[str, ...] = ALL_FAULTS,
    trials: int | None = None,
) -> dict[str, Any]:
    """One chaos run; with ``trials``, it lasts until that many faults were injected."""
    from shopagent.agent.fake_openai import FakeOpenAIServer

    random.seed(seed)
    work = Path(tempfile.mkdtemp(prefix=f"chaos-{backend}-"))
    product = build_catalog(work / "data")
    redis = RedisProcess() if backend == "redis" else None
    if redis is not None:
        redis.start()
    keys = {
        hashlib.sha256(f"chaos-key-{n}".encode()).hexdigest(): f"shopper-{n}"
        for n in range(shoppers + 1)
    }
    model = FakeOpenAIServer(model="shop-lora", responder=responder).__enter__()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPAGENT_")}
    env.update(
        PYTHONPATH=str(Path(__file__).resolve().parents[1]),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
        SHOPAGENT_ENVIRONMENT="test",
        SHOPAGENT_PORT=str(free_port()),
        SHOPAGENT_DATA_DIR=str(work / "data"),
        SHOPAGENT_STATE_BACKEND=backend,
        SHOPAGENT_REDIS_URL=redis.url if redis else "redis://unused",
        SHOPAGENT_LOCAL_BASE_URL=model.base_url,
        SHOPAGENT_MODEL_MAX_RETRIES="0",
        SHOPAGENT_API_KEYS=json.dumps(keys),
        SHOPAGENT_RATE_LIMIT_PER_MINUTE="100000",
        SHOPAGENT_SHUTDOWN_GRACE_S="3",
        SHOPAGENT_INSTANCE_ID="chaos-api",
    )
    api = ApiProcess(env, work / "api.log")
    tally = Tally()
    kills = {"SIGKILL": 0, "SIGTERM": 0, "redis_freeze": 0, "redis_restart": 0}
    restarts: list[float] = []
    api.start()
    restarts.append(await api.ready())
    crowd = [Shopper(n, api, tally, product) for n in range(shoppers)]
    probe = Shopper(shoppers, api, tally, product)
    stop = asyncio.Event()
    tasks = [asyncio.create_task(s.run(stop)) for s in crowd]
    started = time.monotonic()
    if redis is None:
        faults = tuple(f for f in faults if not f.startswith("redis")) or ("SIGKILL",)
    try:
        await _inject(
            api,
            redis,
            probe,
            tally,
            kills,
            restarts,
            started + seconds,
            kill_every_s,
            faults,
            trials,
        )
        stop.set()
        await asyncio.gather(*tasks)
        result = await _verify(api, crowd, tally)
    finally:
        for t in tasks:
            t.cancel()
        api.signal(signal.SIGTERM)
        await api.wait(20)
        model.__exit__()
        if redis is not None:
            redis.stop()
    log = (work / "api.log").read_text(errors="replace")
    result.update(
        backend=backend,
        seconds=round(time.monotonic() - started, 1),
        shoppers=shoppers,
        injected=kills,
        hangups=tally.hangups,
        turns_completed=tally.turns_ok,
        statuses=tally.statuses,
        unavailable_503_during_outages=tally.unavailable_503,
        seconds_to_serve_after_crash_max=max(tally.recoveries, default=None),
        seconds_to_serve_after_crash_p50=percentile(tally.recoveries, 50)
        if tally.recoveries
        else None,
        api_restart_seconds_max=max(restarts),
        asgi_exceptions_logged=log.count("Exception in ASGI application"),
    )
    shutil.rmtree(work, ignore_errors=True)
    return result


async def _inject(
    api: ApiProcess,
    redis: RedisProcess | None,
    probe: Shopper,
    tally: Tally,
    kills: dict[str, int],
    restarts: list[float],
    stop_at: float,
    every: float,
    faults: tuple[str, ...],
    trials: int | None,
) -> None:
    import httpx

    rng = random.Random(7)
    async with httpx.AsyncClient(timeout=httpx.Timeout(30, connect=2)) as c:
        await probe._one_round(c)  # its session
        while (
            sum(kills.values()) < trials
            if trials is not None
            else time.monotonic() + every < stop_at
        ):
            await asyncio.sleep(every * (0.5 + rng.random()))
            fault = rng.choice(faults)
            # the probe's session is mid-turn (a slow model reply) when the fault lands
            slow = asyncio.create_task(
                probe.turn(c, "messages", {"text": "slow reply"}, False, cut=False)
            )
            await asyncio.sleep(0.5)
            kills[fault] += 1
            if fault in ("SIGKILL", "SIGTERM"):
                api.signal(signal.SIGKILL if fault == "SIGKILL" else signal.SIGTERM)
                await api.wait(30)
                with contextlib.suppress(Exception):
                    await slow
                api.start()
                restarts.append(await api.ready())
            elif redis is not None and redis.proc is not None:
                if fault == "redis_freeze":
                    redis.proc.send_signal(signal.SIGSTOP)
                    await asyncio.sleep(2)
                    redis.proc.send_signal(signal.SIGCONT)
                else:
                    redis.stop()
                    await asyncio.sleep(1)
                    redis.start()
                with contextlib.suppress(Exception):
                    await slow
            tally.recoveries.append(await time_to_serve(api, probe))


async def _verify(api: ApiProcess, crowd: list[Shopper], tally: Tally) -> dict[str, Any]:
    lost = duplicated = sessions_lost = 0
    per_user = {}
    for s in crowd:
        qty = await cart_quantity(api, s.key)
        acked, unsure = tally.acked[s.user], tally.uncertain[s.user]
        lost += max(0, acked - qty)
        duplicated += max(0, qty - acked - unsure)
        listed = await listed_sessions(api, s.key)
        sessions_lost += len(tally.sessions[s.user] - listed)
        per_user[s.user] = {"acked": acked, "uncertain": unsure, "in_cart": qty}
    return {
        "acknowledged_writes": sum(tally.acked.values()),
        "acknowledged_writes_lost": lost,
        "writes_duplicated": duplicated,
        "sessions_lost": sessions_lost,
        "five_xx": len(tally.five_xx),
        "five_xx_examples": tally.five_xx[:5],
        "per_user": per_user,
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--shoppers", type=int, default=8)
    p.add_argument("--kill-every", type=float, default=12)
    p.add_argument("--backend", choices=["sqlite", "redis", "both"], default="both")
    args = p.parse_args()
    backends = ["sqlite", "redis"] if args.backend == "both" else [args.backend]
    runs = [asyncio.run(run(b, args.seconds, args.shoppers, args.kill_every)) for b in backends]
    for r in runs:
        print(
            f"{r['backend']}: acked {r['acknowledged_writes']}, lost "
            f"{r['acknowledged_writes_lost']}, duplicated {r['writes_duplicated']}, "
            f"sessions lost {r['sessions_lost']}, 5xx {r['five_xx']}, injected "
            f"{r['injected']}, serve again after crash max "
            f"{r['seconds_to_serve_after_crash_max']} s "
            f"(restart {r['api_restart_seconds_max']:.1f} s)"
        )
    write_result("chaos", {"runs": runs})


if __name__ == "__main__":
    main()
