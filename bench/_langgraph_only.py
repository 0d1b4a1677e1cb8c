"""LangGraph's own share of a turn, for the agent benchmarks to compare against.

A trivial StateGraph on the agent's state schema: a chain of as many nodes as the real
turn has supersteps, each node only bumping the turn's step counter and adding the same
messages the real node adds (so checkpoints carry as much history). It runs the way
``AgentService`` runs the graph: same input shape, stream modes, durability and config,
on the same checkpointer or on none. What the real turn costs beyond this is ours.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from shopagent.agent.state import AgentState, new_turn

Step = Callable[[], list[BaseMessage]]


def trivial_graph(
    steps: Sequence[Step], checkpointer: BaseCheckpointSaver[Any] | None
) -> CompiledStateGraph[Any, Any, Any, Any]:
    """One node per superstep; ``steps[i]()`` gives the messages node ``i`` adds."""
    g = StateGraph(AgentState)
    names = [f"step{i}" for i in range(len(steps))]
    for i, (name, messages) in enumerate(zip(names, steps, strict=True)):
        last = i == len(steps) - 1

        async def node(
            state: AgentState, i: int = i, messages: Step = messages, last: bool = last
        ) -> dict[str, Any]:
            update: dict[str, Any] = {"turn": {**state["turn"], "steps": i}}
            new = messages()
            if new:
                update["messages"] = new
            if last:  # the respond node's other channels
                update["awaiting"] = None
            return update

        g.add_node(name, node)
    g.add_edge(START, names[0])
    for a, b in zip(names, names[1:], strict=False):
        g.add_edge(a, b)
    g.add_edge(names[-1], END)
    return g.compile(checkpointer=checkpointer)


async def run_turn(graph: CompiledStateGraph[Any, Any, Any, Any], thread: str, text: str) -> None:
    """One turn, as ``AgentService._run`` runs a fresh message."""
    turn_id = f"t-{time.perf_counter_ns() % 10**12:012d}"
    payload = {
        "turn": new_turn(turn_id, text, None, time.time()),
        "messages": [
            HumanMessage(content=text, additional_kwargs={"turn_id": turn_id, "image_id": None})
        ],
    }
    config: Any = {
        "configurable": {"thread_id": thread, "user_id": "bench"},
        "recursion_limit": 100,
    }
    # (durability only means something with a checkpointer; LangGraph warns otherwise)
    kw: Any = {"durability": "exit"} if graph.checkpointer else {}
    async for _ in graph.astream(payload, config, stream_mode=["custom", "updates"], **kw):
        pass
