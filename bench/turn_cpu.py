"""turn_cpu: CPU time of the parts of a routine turn, each measured alone.

- model_client_cpu_ms_per_call: one streamed chat completion through ``ChatModel`` (the
  real client code) against the scripted OpenAI-compatible server on loopback, with the
  real tool schemas and a short history; CPU of the calling thread only (the server runs
  in another thread), at 1 and at 50 calls in flight.
- service_cpu_ms_per_turn: one routine turn (one model call, no tools) through
  ``AgentService`` with SQLite state and an in-process zero-latency model, 50 sessions of
  12 turns each, so histories grow as in a conversation. In the same run and the same
  way, interleaved in rounds: the service without held reads (``hold_reads=False``: the
  run reads the thread's checkpoint again), and LangGraph alone (``bench/_langgraph_only``:
  a trivial graph with the same 4 supersteps and messages) on the same SQLite
  checkpointer and on none. ``ours_over_langgraph`` = service / LangGraph-on-SQLite.
- embedded_varied_cpu_ms_per_turn: a routine conversation (search, refine, more, a product
  question, the cart) answered by the embedded tier alone, NLU and catalog search
  included, on a real catalog and trained model: ``BENCH_DATA`` or ./data when built
  (``make run``), else a 300-product demo catalog built and trained here (~1 min). 20
  conversations of the same 12 moves with a word or number changed in each, so no text
  repeats in the run (``varied_conversation``): what a text-keyed cache cannot serve
  from an earlier turn costs what it would for a new shopper. Issue #16's target for the
  embedded turn is read on this figure.
- embedded_cpu_ms_per_turn: the same with one conversation's 12 texts repeated in all
  20 (cache hits a real server gets only for the most common requests; flattering).
  ``embedded_nlu_cpu_ms_per_turn``: ``EmbeddedTier.understand`` alone on those texts.
  ``*_main_thread_cpu_ms_per_turn``: of it, the event loop's thread (graph, NLU, replies);
  the rest is worker threads (catalog search, the index engine, SQLite).

``--baseline TREE`` (a checkout of the code before a change, e.g. ``git worktree add``)
adds ``before_after``: the embedded turn of that tree and of this one in alternating fresh
processes on the same data (``BENCH_DATA``), medians and after/before ratios.

Every arm runs on the event loop the server runs on: uvicorn's choice for ``shopagent
serve`` (``loop="auto"``, uvloop when installed; ``event_loop`` in the result). ``--loop
asyncio`` runs them on the standard library's loop instead (the figures before
2026-12-01 were taken on it); ``--compare-loops N`` adds ``loops``: the embedded turn on
each loop in N alternating pairs of fresh processes of this tree.

CPU is process time (all threads), steadier than wall time on a shared machine; the
load average before and after is recorded. The services run with their startup objects
frozen out of the garbage collector's passes, as the app serves them (api/_heap.py).
Target (issue #16): server CPU per routine turn <= 8 ms, the service turn and the
embedded turn (NLU included); these explain api_load's server CPU per turn
(docs/performance.md).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._support import (  # noqa: E402
    in_process_service,
    loop_name,
    machine,
    run_on_loop,
    write_result,
)

REPLY = "Here are a few options you might like."


async def model_client(calls: int = 400) -> dict[str, float]:
    from shopagent.agent.fake_openai import FakeOpenAIServer, FakeReply
    from shopagent.agent.models import ChatModel, ModelEndpoint
    from shopagent.settings import Settings
    from shopagent.tools.builtin import build_registry

    tools = build_registry(Settings()).openai_schemas()
    history = [
        {"role": "system", "content": "You are a shopping assistant. " * 30},
        *[
            {"role": r, "content": c}
            for _ in range(3)
            for r, c in (("user", "linen shirts size 1"), ("assistant", REPLY))
        ],
    ]
    reply = FakeReply(text=REPLY, delay_s=0.02)
    out: dict[str, float] = {}
    with FakeOpenAIServer(responder=lambda body: reply) as server:
        model = ChatModel(ModelEndpoint("local", server.base_url, "fake", "k", 10, 1))
        try:
            for _ in range(20):  # warm up: connections, caches
                await model.complete(history, tools)
            for in_flight in (1, 50):
                gate = asyncio.Semaphore(in_flight)

                async def one(gate: asyncio.Semaphore = gate) -> None:
                    async with gate:
                        await model.complete(history, tools)

                cpu0 = time.thread_time()
                await asyncio.gather(*(one() for _ in range(calls)))
                out[f"model_client_cpu_ms_per_call_{in_flight}_in_flight"] = round(
                    (time.thread_time() - cpu0) * 1000 / calls, 2
                )
        finally:
            await model.aclose()
    return out


class _Model:
    """Zero-latency in-process model: streams a short answer, no tool calls."""

    tier = "local"

    async def complete(self, messages: list[dict[str, Any]], tools: Any, **kw: Any) -> Any:
        from shopagent.agent.models import ModelReply

        if kw.get("on_delta"):
            for word in REPLY.split():
                kw["on_delta"](word + " ")
        return ModelReply(text=REPLY, tokens_in=10, tokens_out=8)

    async def ping(self) -> tuple[bool, str]:
        return True, "in-process"

    async def aclose(self) -> None:
        return None


SESSIONS, TURNS_EACH, ROUNDS = 50, 12, 6


def _routine_steps() -> list[Any]:
    """What a routine model turn's 4 supersteps add: understand, route, act add nothing;
    respond adds the final answer."""
    from langchain_core.messages import AIMessage

    def answer() -> list[Any]:
        kwargs = {"tier": "local", "turn_id": "t-0", "products": [], "final": True}
        return [AIMessage(content=REPLY, additional_kwargs=kwargs)]

    return [list, list, list, answer]


class _Arm:
    """One way of running turns, timed in blocks: CPU and wall per turn."""

    def __init__(self, name: str, turn: Any) -> None:
        self.name, self.turn = name, turn
        self.cpu_s, self.turns, self.wall_ms = 0.0, 0, []  # type: ignore[var-annotated]
        self.main_s = 0.0  # of cpu_s, the event loop's thread (the rest: worker threads)

    async def block(self, first: int, n: int) -> None:
        cpu0, main0 = time.process_time(), time.thread_time()
        for i in range(first, first + n):
            t0 = time.perf_counter()
            await self.turn(i)
            self.wall_ms.append((time.perf_counter() - t0) * 1000)
        self.cpu_s += time.process_time() - cpu0
        self.main_s += time.thread_time() - main0
        self.turns += n

    @property
    def cpu_ms(self) -> float:
        return round(self.cpu_s * 1000 / max(1, self.turns), 2)

    @property
    def main_cpu_ms(self) -> float:
        return round(self.main_s * 1000 / max(1, self.turns), 2)


async def service(data: Path) -> dict[str, Any]:
    from contextlib import AsyncExitStack

    from bench._langgraph_only import run_turn, trivial_graph
    from shopagent.agent.checkpoint import open_checkpointer
    from shopagent.agent.graph import build_graph
    from shopagent.agent.service import AgentService
    from shopagent.api._heap import freeze_startup_heap, thaw
    from shopagent.settings import Settings

    async with AsyncExitStack() as stack:
        arms: list[_Arm] = []
        for name, held in (("service", True), ("service_no_held_reads", False)):
            settings = Settings(data_dir=data / name, state_backend="sqlite")
            svc = await stack.enter_async_context(in_process_service(settings, _Model()))
            graph = build_graph(svc.deps).compile(checkpointer=svc.checkpointer)
            svc = AgentService(svc.deps, graph, svc.sessions, svc.checkpointer, hold_reads=held)
            sids = [(await svc.sessions.create_session("b")).session_id for _ in range(SESSIONS)]

            async def turn(i: int, svc: AgentService = svc, sids: list[str] = sids) -> None:
                events = [
                    e
                    async for e in svc.stream_turn(
                        user_id="b", session_id=sids[i % SESSIONS], text=f"linen shirts {i}"
                    )
                ]
                assert events[-1].type == "done" and not any(e.type == "error" for e in events)

            arms.append(_Arm(name, turn))
        saver = await stack.enter_async_context(
            open_checkpointer(Settings(data_dir=data / "lg", state_backend="sqlite"))
        )
        for name, graph in (
            ("langgraph_only_sqlite", trivial_graph(_routine_steps(), saver)),
            ("langgraph_only_no_checkpointer", trivial_graph(_routine_steps(), None)),
        ):

            async def lg_turn(i: int, graph: Any = graph) -> None:
                await run_turn(graph, f"lg-{i % SESSIONS}", f"linen shirts {i}")

            arms.append(_Arm(name, lg_turn))
        freeze_startup_heap()  # as the app serves them (api/_heap.py)
        stack.callback(thaw)
        for arm in arms:  # warm up on turns of their own (not in the figures)
            await arm.block(10_000, 20)
            arm.cpu_s, arm.main_s, arm.turns, arm.wall_ms = 0.0, 0.0, 0, []
        per_round = SESSIONS * TURNS_EACH // ROUNDS
        for r in range(ROUNDS):  # rotating order: drift in the machine's load hits all arms
            for arm in arms[r % len(arms) :] + arms[: r % len(arms)]:
                await arm.block(r * per_round, per_round)
    by = {a.name: a for a in arms}
    out: dict[str, Any] = {"service_turns": by["service"].turns}
    for a in arms:
        out[f"{a.name}_cpu_ms_per_turn"] = a.cpu_ms
    out["service_turn_p50_ms"] = round(statistics.median(by["service"].wall_ms), 2)
    lg = by["langgraph_only_sqlite"].cpu_ms
    out["service_supersteps"] = 4
    out["ours_over_langgraph"] = round(by["service"].cpu_ms / lg, 2)
    out["ours_beyond_langgraph_cpu_ms"] = round(by["service"].cpu_ms - lg, 2)
    out["held_reads_saving_cpu_ms"] = round(
        by["service_no_held_reads"].cpu_ms - by["service"].cpu_ms, 2
    )
    return out


EMBEDDED_CONVERSATION = [
    "red sneakers under 100",
    "in blue",
    "show me more",
    "is the first one waterproof?",
    "linen shirts for men",
    "any in size L?",
    "what's in my cart?",
    "black leather bags",
    "cheaper ones",
    "summer dresses",
    "the second one in white",
    "thanks",
]

# The same 12 moves with a word or a number changed per conversation, so that no text
# repeats in the run: caches keyed by text (the plugin matcher's request vectors, the query
# vectors) get no hit a repeated bench text would give them.
_PRODUCTS = (
    "sneakers boots jackets dresses headphones mugs lamps rugs backpacks sweaters sandals "
    "hoodies necklaces speakers skirts chairs jeans loafers planters kettles"
).split()
_COLOURS = "red blue black white green navy brown pink gray beige yellow purple orange silver gold"
_FEATURES = (
    "weatherproof|machine washable|vegan|handmade|breathable|lightweight|dishwasher safe|"
    "adjustable|foldable|recyclable|organic|wireless|rechargeable|stackable|durable|"
    "hypoallergenic|scratch resistant|water resistant|eco friendly|made to last"
).split("|")
_MATERIALS = (
    "leather wool cotton linen denim silk suede canvas ceramic oak velvet rattan cashmere "
    "fleece nylon walnut stoneware jute marble copper"
).split()
_THINGS = (
    "boots sweaters t-shirts shirts jeans dresses loafers backpacks mugs tables cushions "
    "chairs scarves jackets bags bowls planters rugs bracelets lamps"
).split()
_STYLES = "casual elegant vintage sporty minimalist boho classic modern rustic formal".split()
_CART = (
    "what's in my cart?|show me my cart|what do I have in my cart?|open my cart|cart please|"
    "what's in my basket?|view my cart|can I see my cart?|how is my cart looking?|"
    "what have I got in the cart?"
).split("|")
_BYE = (
    "thanks|thank you|cheers|thanks a lot|great, thanks|perfect, thank you|bye|"
    "that's all, thanks|ok thanks bye|thank you so much"
).split("|")


def varied_conversation(i: int) -> list[str]:
    """Conversation ``i`` of the non-repeating variant (i < 20 keeps every text unique)."""
    colours = _COLOURS.split()
    c1, c2, c3 = colours[i % 15], colours[(i + 4) % 15], colours[(i + 9) % 15]
    first, second, third = _PRODUCTS[i % 20], _THINGS[i % 20], _PRODUCTS[(i + 7) % 20]
    sizes = ["XS", "S", "M", "L", "XL", "XXL", "38", "40", "42", "44"]
    lead = ("so ", "and ")[i // 10]  # conversations i and i + 15 share a colour
    return [
        f"{c1} {first} under {60 + 5 * i}",
        f"{('in', 'do you have them in')[i // 15]} {c2} instead",
        f"show me more {first}",
        f"is the first one {_FEATURES[i % 20]}?",
        f"{_MATERIALS[i % 20]} {second} for {('men', 'women')[i % 2]}",
        f"any {second} in size {sizes[i % 10]}?",
        lead + _CART[i % 10],
        f"{c3} {third}",
        f"anything cheaper, say under {30 + 3 * i}?",
        f"{_STYLES[i % 10]} {_PRODUCTS[(i + 13) % 20]}",
        f"{lead}the {('first', 'second', 'third')[i % 3]} one in {colours[(i + 2) % 15]}",
        ("ok ", "alright ")[i // 10] + _BYE[i % 10],
    ]


def _catalog_source(tmp: Path) -> Path:
    """A data folder with a built catalog and a trained embedded model."""
    from shopagent.retrieval import build_demo_catalog
    from shopagent.settings import Settings
    from shopagent.training.embedded import ensure_embedded_model

    for candidate in (os.environ.get("BENCH_DATA"), "data"):
        if candidate and (Path(candidate) / "models" / "embedded").is_dir():
            return Path(candidate)
    src = tmp / "catalog"
    print("  (no built data folder: building a 300-product demo catalog and its model)")
    settings = Settings(data_dir=src)
    catalog = build_demo_catalog(settings, n=300, progress=True)
    try:
        ensure_embedded_model(settings, catalog, progress=True)
    finally:
        catalog.close()
    return src


async def embedded(tmp: Path, sessions_n: int = 20) -> dict[str, Any]:
    """Both variants on one service, the non-repeating one first (so nothing the repeating
    one warms can serve it): per variant, each conversation's first turn untimed, then the
    other 11 turns of all conversations, turn by turn across them."""
    from shopagent.agent.embedded import DialogueState
    from shopagent.agent.service import AgentService
    from shopagent.api._heap import freeze_startup_heap, thaw
    from shopagent.retrieval import open_catalog
    from shopagent.retrieval.embed._cache import VectorCache
    from shopagent.settings import Settings

    src = _catalog_source(tmp)
    catalog = open_catalog(Settings(data_dir=src))
    # Search query vectors persist in the data folder (its cache/): an earlier run's would
    # serve this one's "new" queries. A cache of this run's own starts empty, as for queries
    # no shopper has typed before.
    catalog.text.close()
    catalog.text._cache = VectorCache(tmp / "query-vectors.sqlite", catalog.text.dim)
    products = catalog.count()
    settings = Settings(
        data_dir=tmp / "embedded-state",
        state_backend="sqlite",
        embedded_model_dir=src / "models" / "embedded",
    )
    arms: dict[str, _Arm] = {}
    try:
        async with AgentService.open(settings, catalog=catalog) as svc:
            freeze_startup_heap()  # as the app serves it (thawed below)
            tier = svc.deps.embedded
            if tier is None or svc.deps.available_tiers() != {"embedded"}:
                raise SystemExit("turn_cpu: the embedded tier did not load")
            variants = (
                ("embedded_varied", [varied_conversation(k) for k in range(sessions_n)]),
                ("embedded", [EMBEDDED_CONVERSATION] * sessions_n),
            )
            parts = _Parts(svc, catalog)
            for name, convs in variants:
                sids = [(await svc.sessions.create_session("b")).session_id for _ in convs]

                async def turn(
                    i: int, convs: list[list[str]] = convs, sids: list[str] = sids
                ) -> None:
                    k, n = i % len(convs), i // len(convs)
                    text, sid = convs[k][n], sids[k]
                    events = [
                        e async for e in svc.stream_turn(user_id="b", session_id=sid, text=text)
                    ]
                    assert events[-1].type == "done" and not any(e.type == "error" for e in events)

                await _Arm("warm", turn).block(0, len(convs))  # first turns, untimed
                arms[name] = arm = _Arm(name, turn)
                parts.on = name == "embedded_varied"
                await arm.block(len(convs), len(convs) * (len(convs[0]) - 1))
                parts.on = False
            lg = await _langgraph_alone(tmp, parts.supersteps)
            conv = EMBEDDED_CONVERSATION
            cpu0 = time.process_time()
            for text in conv * 5:
                tier.understand(text, DialogueState())
            nlu_ms = (time.process_time() - cpu0) * 1000 / (len(conv) * 5)
    finally:
        thaw()
        catalog.close()
    out: dict[str, Any] = {"embedded_catalog_products": products}
    for name, arm in arms.items():
        out[f"{name}_turns"] = arm.turns
        out[f"{name}_cpu_ms_per_turn"] = arm.cpu_ms
        out[f"{name}_main_thread_cpu_ms_per_turn"] = arm.main_cpu_ms
        out[f"{name}_turn_p50_ms"] = round(statistics.median(arm.wall_ms), 2)
    out["embedded_nlu_cpu_ms_per_turn"] = round(nlu_ms, 2)
    varied = arms["embedded_varied"]
    minilm = {k: round(v * 1000 / varied.turns, 2) for k, v in parts.cpu_s.items()}
    lg_ms = round(lg * 1000 / len(parts.supersteps), 2)
    out["embedded_varied_supersteps_per_turn"] = round(statistics.mean(parts.supersteps), 2)
    out["embedded_varied_minilm_cpu_ms_per_turn"] = minilm
    out["embedded_langgraph_only_sqlite_cpu_ms_per_turn"] = lg_ms
    out["embedded_varied_over_langgraph"] = round(varied.cpu_ms / lg_ms, 2)
    out["embedded_varied_ours_cpu_ms_per_turn"] = round(
        varied.cpu_ms - lg_ms - sum(minilm.values()), 2
    )
    out["event_loop"] = loop_name()
    return out


class _Parts:
    """Inside the timed turns: the CPU of each MiniLM pass on the thread it runs on, and
    the supersteps each turn takes (update chunks of the service's graph stream)."""

    def __init__(self, svc: Any, catalog: Any) -> None:
        import threading

        self.on = False
        self.cpu_s = {"intent_model": 0.0, "plugin_matcher": 0.0, "search_query": 0.0}
        self.supersteps: list[int] = []
        self._lock = threading.Lock()
        tier = svc.deps.embedded
        tier.model._logits = self._timed("intent_model", tier.model._logits)
        if tier.plugins is not None:
            tier.plugins._encode = self._timed("plugin_matcher", tier.plugins._encode)
            if tier.plugins.held_vector is not None:  # the last 2 layers over the turn's pass
                held = tier.plugins.held_vector
                tier.plugins.held_vector = self._timed("plugin_matcher", held)
        catalog.text.encode = self._timed("search_query", catalog.text.encode)
        graph, parts = svc.graph, self

        class Counting:
            def __getattr__(self, name: str) -> Any:
                return getattr(graph, name)

            async def astream(self, *a: Any, **kw: Any) -> Any:
                steps = 0
                async for part in graph.astream(*a, **kw):
                    if isinstance(part, tuple) and part[0] == "updates":
                        steps += len([k for k in part[1] if k != "__interrupt__"])
                    yield part
                if parts.on and kw.get("durability") == "exit":  # a fresh message's run
                    parts.supersteps.append(steps)

        svc.graph = Counting()

    def _timed(self, key: str, fn: Any) -> Any:
        def timed(*a: Any, **kw: Any) -> Any:
            t0 = time.thread_time()
            try:
                return fn(*a, **kw)
            finally:
                if self.on:
                    with self._lock:
                        self.cpu_s[key] += time.thread_time() - t0

        return timed


async def _langgraph_alone(tmp: Path, supersteps: list[int]) -> float:
    """CPU seconds of LangGraph alone running ``supersteps[i]`` supersteps for turn ``i``
    (20 conversations, as the embedded arm) on a SQLite checkpointer."""
    from langchain_core.messages import AIMessage, ToolMessage

    from bench._langgraph_only import run_turn, trivial_graph
    from shopagent.agent.checkpoint import open_checkpointer
    from shopagent.settings import Settings

    call = {"id": "call_0", "name": "catalog_search", "args": {"query": "linen shirts"}}
    found = '{"products": [' + ", ".join(['{"id": "p-00001", "title": "Linen Shirt"}'] * 10)

    def steps(n: int) -> list[Any]:
        """understand, route, act (a tool call when there is a tools step), tools, respond."""
        tool_call = [lambda: [AIMessage(content="", tool_calls=[call])]]
        result = [lambda: [ToolMessage(content=found + "]}", tool_call_id="call_0")]]
        reply = [lambda: [AIMessage(content=REPLY)]]
        if n >= 5:
            return [list, list, *tool_call, *result, *([list] * (n - 5)), *reply]
        return [*([list] * (n - 1)), *reply]

    async with open_checkpointer(
        Settings(data_dir=tmp / "lg-embedded", state_backend="sqlite")
    ) as saver:
        graphs = {n: trivial_graph(steps(n), saver) for n in sorted(set(supersteps))}
        for i in range(20):  # warm up, untimed
            await run_turn(graphs[supersteps[i % len(supersteps)]], f"w-{i}", "linen shirts")
        cpu0 = time.process_time()
        for i, n in enumerate(supersteps):
            await run_turn(graphs[n], f"lg-{i % 20}", f"linen shirts {i}")
        return time.process_time() - cpu0


# Runs the embedded measurement of whichever tree is the working directory (its own
# bench/turn_cpu.py), so an older checkout can be measured beside this one.
# The loop is argv[1] ("server": uvicorn's choice, as it serves; "asyncio"), picked here
# and not through bench._support, which an older checkout may not have.
_EMBEDDED_ONLY = (
    "import asyncio, json, sys, tempfile; from pathlib import Path; sys.path.insert(0, '.');"
    "import uvicorn; from bench.turn_cpu import embedded\n"
    "f = uvicorn.Config(app=object(), log_config=None).get_loop_factory()"
    " if sys.argv[1] == 'server' else None\n"
    "with tempfile.TemporaryDirectory() as t, asyncio.Runner(loop_factory=f) as r:"
    " print(json.dumps(r.run(embedded(Path(t)))))"
)
_COMPARED = (
    "embedded_varied_cpu_ms_per_turn",
    "embedded_varied_main_thread_cpu_ms_per_turn",
    "embedded_cpu_ms_per_turn",
    "embedded_main_thread_cpu_ms_per_turn",
)


def _alternating(
    sides: dict[str, tuple[Path, dict[str, str] | None, str]], pairs: int, label: str
) -> dict[str, Any]:
    """The embedded turn of each side (a tree, its environment, its loop) in ``pairs``
    rounds of fresh processes, one per side in turn, so drift in the machine's load hits
    every side alike. Per key of ``_COMPARED``: each side's runs and median, and the
    second side's median over the first's."""
    import json
    import subprocess

    runs: dict[str, list[dict[str, Any]]] = {side: [] for side in sides}
    for n in range(pairs):
        for side, (tree, env, loop) in sides.items():
            print(f"  {label} pair {n + 1}/{pairs}: {side}", flush=True)
            done = subprocess.run(
                [sys.executable, "-c", _EMBEDDED_ONLY, loop],
                cwd=tree,
                env=env,
                capture_output=True,
                text=True,
                timeout=900,
                check=True,
            )
            runs[side].append(json.loads(done.stdout.strip().splitlines()[-1]))
    first, second = sides
    out: dict[str, Any] = {"pairs": pairs}
    for key in _COMPARED:
        a = [r[key] for r in runs[first]]
        b = [r[key] for r in runs[second]]
        out[key] = {
            first: a,
            second: b,
            f"{first}_median": statistics.median(a),
            f"{second}_median": statistics.median(b),
            "ratio": round(statistics.median(b) / statistics.median(a), 3),
        }
    return out


def before_after(
    baseline: Path, pairs: int, baseline_data: Path | None = None, loop: str = "server"
) -> dict[str, Any]:
    """The embedded turn of ``baseline`` (a checkout of the code before a change) and of
    this tree on ``loop``, in alternating fresh processes on the same data
    (``baseline_data``: another data folder for the baseline, when its code reads a
    different model artifact). Medians per side and after/before ratios."""
    here = Path(__file__).resolve().parents[1]
    env = {**os.environ, "BENCH_DATA": str(baseline_data)} if baseline_data else None
    sides = {"before": (baseline, env, loop), "after": (here, None, loop)}
    out = {"baseline": str(baseline), **_alternating(sides, pairs, "before/after")}
    if baseline_data:
        out["baseline_data"] = str(baseline_data)
    return out


def loops(pairs: int) -> dict[str, Any]:
    """The embedded turn of this tree on the standard library's event loop and on the
    server's (uvloop when installed), in alternating fresh processes: what the loop
    the server runs on does to a turn's CPU. ``ratio`` is server / asyncio."""
    here = Path(__file__).resolve().parents[1]
    sides = {"asyncio": (here, None, "asyncio"), "server": (here, None, "server")}
    return _alternating(sides, pairs, "asyncio/server loop")


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--baseline",
        type=Path,
        help="a checkout of the code before a change: its embedded turn is measured "
        "alternately with this tree's (before_after in the result)",
    )
    parser.add_argument(
        "--baseline-data",
        type=Path,
        help="the data folder the baseline runs on (default: BENCH_DATA, as this tree)",
    )
    parser.add_argument("--pairs", type=int, default=4, help="before/after pairs (--baseline)")
    parser.add_argument(
        "--loop",
        choices=("server", "asyncio"),
        default="server",
        help="the event loop the arms run on: the server's (uvloop when installed, as "
        "`shopagent serve` runs) or the standard library's",
    )
    parser.add_argument(
        "--compare-loops",
        type=int,
        default=0,
        metavar="PAIRS",
        help="also measure the embedded turn on both loops in PAIRS alternating pairs",
    )
    args = parser.parse_args()
    load_before = os.getloadavg()
    result: dict[str, Any] = run_on_loop(model_client(), args.loop)
    with tempfile.TemporaryDirectory() as tmp:
        result.update(run_on_loop(service(Path(tmp)), args.loop))
    with tempfile.TemporaryDirectory() as tmp:
        result.update(run_on_loop(embedded(Path(tmp)), args.loop))
    if args.baseline is not None:
        result["before_after"] = before_after(
            args.baseline.resolve(), args.pairs, args.baseline_data, args.loop
        )
    if args.compare_loops:
        result["loops"] = loops(args.compare_loops)
    result.update(
        {
            "target": "service and embedded CPU per routine turn <= 8 ms (issue #16; the "
            "embedded one read on embedded_varied)",
            **machine(load_before),
        }
    )
    write_result("turn_cpu", result)


if __name__ == "__main__":
    main()
