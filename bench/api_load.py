"""HTTP API under load: many concurrent SSE conversations against a slow fake model.

    .venv/bin/python bench/api_load.py [--conversations 200] [--turns 3] [--delay-ms 500]
                                       [--state sqlite|redis]
    (scripts/bench.sh api_load runs it with the defaults)

The server is the real app (auth, rate limit, turn locks, SSE, metrics, logging) in its
own process under uvicorn. ``--agent real`` runs the real agent (graph, checkpoints, a
small demo catalog) against a scripted OpenAI-compatible model in another process whose
every call takes --delay-ms; ``--agent scripted`` swaps in the scripted agent of
api/_scripted.py to measure the HTTP layer alone; ``--agent both`` (the default) runs the
two, then the real agent once more with paced shoppers (``paced_shoppers``, see
--paced-think-s), all in one run.

The client opens one connection per conversation and creates its session; once all are
open, first turns start evenly over --ramp-s, then each conversation runs --turns
streamed turns, each waiting for ``done``, with --think-s between them (0: back to back,
so all 200 streams overlap: peak_concurrent_streams reports the overlap reached).
first_event is request start to the first SSE event; turn is request start to ``done``;
rss_mb is the server's peak resident memory (summed over its processes);
server_cpu_ms_per_turn is the server's CPU time over the run divided by the turns.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._support import percentile, redis_server, write_result  # noqa: E402


def _key(i: int) -> str:
    return f"bench-key-{i}"


def make_app() -> Any:
    """The app of one server process; its configuration comes from BENCH_* variables, so
    uvicorn can build it in each worker process."""
    from shopagent.api import create_app
    from shopagent.api._scripted import ScriptedAgentService
    from shopagent.api.deps import hash_key
    from shopagent.settings import Settings

    env = os.environ
    n = int(env["BENCH_CONVERSATIONS"])
    settings = Settings(
        environment="test",
        data_dir=Path(env["BENCH_DATA"]),
        state_backend=env["BENCH_STATE"],
        redis_url=env.get("BENCH_REDIS_URL") or "redis://127.0.0.1:6379/0",
        log_level="WARNING",
        api_keys={hash_key(_key(i)): f"user-{i}" for i in range(n)},
    )
    delay = float(env["BENCH_DELAY_MS"]) / 1000
    shared = env["BENCH_STATE"] == "redis"
    if env.get("BENCH_MODEL_URL"):  # the real agent; its local tier is the fake model
        return create_app(settings.model_copy(update={"local_base_url": env["BENCH_MODEL_URL"]}))
    return create_app(
        settings,
        open_service=lambda s: ScriptedAgentService.open(
            s, model_delay_s=delay, shared_sessions=shared
        ),
    )


def serve(args: argparse.Namespace) -> None:
    """The server process (with --workers > 1, uvicorn's supervisor of the workers)."""
    import uvicorn

    os.environ.update(
        BENCH_CONVERSATIONS=str(args.conversations),
        BENCH_DATA=args.data,
        BENCH_STATE=args.state,
        BENCH_REDIS_URL=args.redis_url or "",
        BENCH_DELAY_MS=str(args.delay_ms),
        BENCH_MODEL_URL=args.model_url or "",
    )
    uvicorn.run(
        "api_load:make_app",
        factory=True,
        workers=args.workers,
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        access_log=False,
        backlog=4096,
    )


class _Conn:
    """A minimal HTTP/1.1 keep-alive client on a raw socket.

    The load generator shares the machine's cores with the server, so it must be cheap:
    httpx costs several times more CPU per streamed event than the server spends on it,
    which would measure the client. Enough HTTP for this API: JSON bodies, fixed-length
    or chunked responses.
    """

    def __init__(self, host: str, port: int, key: str) -> None:
        self.host, self.port, self.key = host, port, key
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()

    async def request(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        """POST; returns the status and an async iterator over body pieces."""
        payload = json.dumps(body).encode()
        request = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\n"
            f"Authorization: Bearer {self.key}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(payload)}\r\n\r\n".encode()
            + payload
        )
        for attempt in (1, 2):
            assert self.reader is not None and self.writer is not None
            if self.reader.at_eof():  # the server closed the idle keep-alive connection
                self.close()
                await self.open()
                assert self.reader is not None and self.writer is not None
            self.writer.write(request)
            try:
                head = await self.reader.readuntil(b"\r\n\r\n")
                break
            except asyncio.IncompleteReadError as exc:
                # Closed while idle, before reading the request (nothing was answered):
                # reconnect and send it again, as HTTP clients do for keep-alive races.
                if exc.partial or attempt == 2:
                    raise
                self.close()
                await self.open()
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        pairs = (ln.partition(":") for ln in lines[1:] if ln)
        headers = {k.lower(): v.strip() for k, _, v in pairs}
        return status, self._body(headers)

    async def _body(self, headers: dict[str, str]) -> Any:
        assert self.reader is not None
        if "content-length" in headers:
            yield await self.reader.readexactly(int(headers["content-length"]))
            return
        while True:  # chunked
            size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                return
            chunk = await self.reader.readexactly(size + 2)
            yield chunk[:-2]


async def _conversation(
    host: str,
    port: int,
    i: int,
    turns: int,
    ready: asyncio.Event,
    start_at: list[float],
    ramp_s: float,
    conversations: int,
    out: dict[str, Any],
    think_s: float = 0.0,
) -> None:
    conn = _Conn(host, port, _key(i))
    pause = random.Random(i)  # the same think times in every run
    sid = None
    try:
        await conn.open()
        status, body = await conn.request("/v1/sessions", {})
        raw = b"".join([piece async for piece in body])
        if status == 201:
            sid = json.loads(raw)["session_id"]
        else:
            out["errors"].append(f"create {status}")
    except Exception as exc:
        out["errors"].append(f"{type(exc).__name__}: {exc}")
    # Every conversation is open (connection up, session created) before any turn starts;
    # first turns then start evenly over ramp_s, so all streams overlap.
    out["ready"] += 1
    if out["ready"] == conversations:
        start_at[0] = time.perf_counter()
        ready.set()
    await ready.wait()
    if sid is None:
        conn.close()
        return
    await asyncio.sleep(max(0.0, start_at[0] + ramp_s * i / conversations - time.perf_counter()))
    try:
        for t in range(turns):
            if t and think_s:  # the shopper reads the reply and types the next message
                await asyncio.sleep(pause.uniform(0.5 * think_s, 1.5 * think_s))
            start = time.perf_counter()
            out["streams"] += 1
            out["peak"] = max(out["peak"], out["streams"])
            try:
                status, body = await conn.request(
                    f"/v1/sessions/{sid}/messages", {"text": f"linen shirts size {t}"}
                )
                first = None
                text = b""
                async for piece in body:
                    if first is None and b"event:" in piece:
                        first = time.perf_counter() - start
                    text += piece
            finally:
                out["streams"] -= 1
            total = time.perf_counter() - start
            kinds = [ln[6:].strip() for ln in text.decode().splitlines() if ln.startswith("event:")]
            if status != 200:
                out["errors"].append(f"turn {status}")
                return
            if not kinds or kinds[-1] != "done" or "error" in kinds:
                out["errors"].append(f"turn ended with {kinds[-1:]}")
                continue
            out["first_event"].append((first or total) * 1000)
            out["turn"].append(total * 1000)
    except Exception as exc:  # counted, not raised: one failure must not hide the rest
        out["errors"].append(f"{type(exc).__name__}: {exc}")
    finally:
        conn.close()


async def _load(
    port: int, conversations: int, turns: int, ramp_s: float, think_s: float = 0.0
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "errors": [],
        "first_event": [],
        "turn": [],
        "streams": 0,
        "peak": 0,
        "ready": 0,
    }
    ready = asyncio.Event()
    start_at = [0.0]
    await asyncio.gather(
        *(
            _conversation(
                "127.0.0.1", port, i, turns, ready, start_at, ramp_s, conversations, out, think_s
            )
            for i in range(conversations)
        )
    )
    return out


def _tree(pid: int) -> list[int]:
    """pid and its descendants (uvicorn's worker processes)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return float("nan")


def _wait_ready(url: str, proc: subprocess.Popen, timeout_s: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("the API server exited during start-up")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit("the API server did not start")


def run_once(args: argparse.Namespace, agent: str) -> dict[str, Any]:
    """One load run against a fresh server; returns the figures."""
    from tests.api.helpers import free_port

    with ExitStack() as stack:
        redis_url = stack.enter_context(redis_server()) if args.state == "redis" else None
        data = stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-api-"))
        port = free_port()
        model_url = None
        if agent == "real":
            from shopagent.retrieval import build_demo_catalog
            from shopagent.settings import Settings

            build_demo_catalog(Settings(data_dir=Path(data)), n=200).close()
            model = subprocess.Popen(
                [
                    sys.executable,
                    str(Path(__file__).with_name("_fake_model.py")),
                    "--delay-ms",
                    str(args.delay_ms),
                ],
                stdout=subprocess.PIPE,
                text=True,
            )
            stack.callback(model.kill)
            model_url = (model.stdout.readline() if model.stdout else "").strip()
        cmd = [
            sys.executable,
            os.environ.get("BENCH_SERVER_SCRIPT", __file__),
            "--serve",
            "--port",
            str(port),
            "--data",
            data,
            "--conversations",
            str(args.conversations),
            "--delay-ms",
            str(args.delay_ms),
            "--state",
            args.state,
            "--workers",
            str(args.workers),
        ] + (["--redis-url", redis_url] if redis_url else [])
        cmd += ["--model-url", model_url] if model_url else []
        proc = subprocess.Popen(cmd, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_ready(url, proc)
            pids = _tree(proc.pid)
            cpu0 = sum(_cpu_s(p) for p in pids)
            started = time.perf_counter()
            out = asyncio.run(
                _load(port, args.conversations, args.turns, args.ramp_s, args.think_s)
            )
            wall = time.perf_counter() - started
            # Summed over the server's processes (peak of each: an upper bound).
            rss = round(sum(_peak_rss_mb(p) for p in pids), 1)
            server_cpu_s = sum(_cpu_s(p) for p in pids) - cpu0
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()

    errors = out["errors"]
    result: dict[str, Any] = {
        "conversations": args.conversations,
        "turns_per_conversation": args.turns,
        "turns_completed": len(out["turn"]),
        "peak_concurrent_streams": out["peak"],
        "ramp_s": args.ramp_s,
        "think_s": args.think_s,
        "errors": len(errors),
        "first_event_p50_ms": round(percentile(out["first_event"], 50), 1),
        "first_event_p99_ms": round(percentile(out["first_event"], 99), 1),
        "turn_p50_ms": round(percentile(out["turn"], 50), 1),
        "turn_p99_ms": round(percentile(out["turn"], 99), 1),
        "rss_mb": rss,
        "server_cpu_ms_per_turn": round(server_cpu_s * 1000 / max(1, len(out["turn"])), 2),
        "wall_s": round(wall, 2),
        "model_delay_ms": args.delay_ms,
        "agent": agent,
        "state_backend": args.state,
        "workers": args.workers,
        "cpus": os.cpu_count(),
        "target": "0 errors, first_event_p99_ms <= 250",
        "target_met": not errors and percentile(out["first_event"], 99) <= 250,
    }
    if errors:
        result["error_samples"] = sorted(set(errors))[:5]
    return result


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--conversations", type=int, default=200)
    p.add_argument("--turns", type=int, default=3)
    p.add_argument("--delay-ms", type=float, default=500)
    p.add_argument("--state", choices=["sqlite", "redis"], default="sqlite")
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="API processes; more than one needs --state redis (shared limits, locks and sessions)",
    )
    p.add_argument(
        "--ramp-s",
        type=float,
        default=1.0,
        help="after every conversation is open, first turns start evenly over this many "
        "seconds (0: all 200 at the same instant)",
    )
    p.add_argument(
        "--agent",
        choices=["both", "real", "scripted"],
        default="both",
        help="the real agent graph with a fake model, the scripted agent (HTTP layer only), "
        "or both in one run (default; the real agent's figures at the top level)",
    )
    p.add_argument(
        "--think-s",
        type=float,
        default=0.0,
        help="mean pause between a conversation's turns (uniform over 0.5x..1.5x, seeded): "
        "a shopper reading the reply and typing; 0 runs turns back to back",
    )
    p.add_argument(
        "--paced-think-s",
        type=float,
        default=4.0,
        help="with --agent both: a third run of the real agent with this think time and ramp "
        "(reported as paced_shoppers); 0 skips it",
    )
    p.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--model-url", help=argparse.SUPPRESS)
    p.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    p.add_argument("--data", help=argparse.SUPPRESS)
    p.add_argument("--redis-url", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.serve:
        serve(args)
        return

    if args.agent == "both":
        keep = (
            "errors",
            "first_event_p50_ms",
            "first_event_p99_ms",
            "turn_p50_ms",
            "turn_p99_ms",
            "peak_concurrent_streams",
            "server_cpu_ms_per_turn",
            "target_met",
        )
        result = run_once(args, "real")
        scripted = run_once(args, "scripted")
        result["http_layer_only"] = {k: scripted[k] for k in keep}
        if not args.think_s and args.paced_think_s:
            # The same shoppers as people chat: a pause to read and type between turns,
            # first messages spread over one such pause instead of one second.
            paced = run_once(
                argparse.Namespace(
                    **{**vars(args), "think_s": args.paced_think_s, "ramp_s": args.paced_think_s}
                ),
                "real",
            )
            result["paced_shoppers"] = {
                "think_s": args.paced_think_s,
                "ramp_s": args.paced_think_s,
                **{k: paced[k] for k in keep},
            }
    else:
        result = run_once(args, args.agent)
    write_result("api_load", result)


if __name__ == "__main__":
    main()
