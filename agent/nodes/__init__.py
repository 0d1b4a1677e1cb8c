"""The agent graph's nodes and edge functions, one module per concern.

Each node is a module-level function over the graph state and the bound
:class:`~agent._turn.AgentDeps` (passed by keyword; ``agent.graph`` wires them):

- :mod:`.understand` — ``understand`` (embedded NLU, dialogue state) and ``route`` (tier choice);
- :mod:`.act` — ``act`` (the tier's policy proposes tool calls) and ``after_act``;
- :mod:`.confirm` — ``confirm`` (the shopper's yes before any write) and ``after_confirm``;
- :mod:`.tools` — ``run_tools`` (runs calls with the caller's context) and ``after_tools``;
- :mod:`.respond` — ``respond`` (text, product cards, final events).
"""

from shopagent.agent.nodes.act import ActEdge, act, after_act
from shopagent.agent.nodes.confirm import after_confirm, confirm
from shopagent.agent.nodes.respond import respond
from shopagent.agent.nodes.tools import after_tools, run_tools
from shopagent.agent.nodes.understand import after_route, route, understand

__all__ = [
    "ActEdge",
    "act",
    "after_act",
    "after_confirm",
    "after_route",
    "after_tools",
    "confirm",
    "respond",
    "route",
    "run_tools",
    "understand",
]
