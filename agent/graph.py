"""The agent graph, written out: understand -> route -> act (tool loop) -> confirm -> respond.

    START -> understand -> route -+-> act -+-> tools -> (act | respond)
                                  |        +-> confirm -> (tools | act | respond)
                                  |        +-> route   (escalation)
                                  |        +-> respond
                                  +-> respond (no tier can answer: apology)
    respond -> END

Events for the client are written to LangGraph's custom stream as they happen.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from langgraph._internal._runnable import RunnableCallable
from langgraph.graph import END, START, StateGraph

from shopagent.agent._turn import AgentDeps
from shopagent.agent.nodes import (
    ActEdge,
    act,
    after_confirm,
    after_route,
    after_tools,
    confirm,
    respond,
    route,
    run_tools,
    understand,
)
from shopagent.agent.state import AgentState

__all__ = ["AgentDeps", "build_graph"]


def _edge(route: Callable[..., Awaitable[Any]]) -> RunnableCallable:
    """A conditional edge's function, run without a callback run of its own (LangGraph
    traces a plain function given as an edge: a run start and end per routing decision, for
    a choice the next node's run already shows). Its input type is still read from its first
    parameter (``TurnView``: the turn alone)."""
    return RunnableCallable(None, route, trace=False)


def build_graph(deps: AgentDeps) -> StateGraph[AgentState]:
    """Wire the nodes of :mod:`agent.nodes`, each bound to ``deps``."""
    g = StateGraph(AgentState)
    g.add_node("understand", partial(understand, deps=deps))
    g.add_node("route", partial(route, deps=deps))
    g.add_node("act", partial(act, deps=deps))
    g.add_node("confirm", partial(confirm, deps=deps))
    g.add_node("tools", partial(run_tools, deps=deps))
    g.add_node("respond", partial(respond, deps=deps))
    g.add_edge(START, "understand")
    g.add_edge("understand", "route")
    g.add_conditional_edges("route", _edge(after_route), {"act": "act", "respond": "respond"})
    g.add_conditional_edges(
        "act",
        _edge(ActEdge(deps).after_act),
        {"tools": "tools", "confirm": "confirm", "respond": "respond", "route": "route"},
    )
    g.add_conditional_edges(
        "confirm", _edge(after_confirm), {"tools": "tools", "act": "act", "respond": "respond"}
    )
    g.add_conditional_edges(
        "tools", _edge(after_tools), {"act": "act", "respond": "respond", "route": "route"}
    )
    g.add_edge("respond", END)
    return g
