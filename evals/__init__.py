"""Evals: the replay conversation format, the runner, scores, reports and CI gates.

from shopagent.evals import load_conversations, load_config, run_conversations, save_run
"""

from shopagent.evals._config import DEFAULT_PRICES, EvalConfig, TierPrice, load_config
from shopagent.evals._export import export_sessions, history_to_conversation
from shopagent.evals._format import (
    FORMAT,
    Conversation,
    Expectations,
    ImageRef,
    Turn,
    TurnTrace,
    dump_conversations,
    json_schema,
    load_conversations,
    load_datasets,
    select_conversations,
)
from shopagent.evals._gate import (
    RunDiff,
    check_gates,
    diff_runs,
    gate_blocks,
    load_thresholds,
    metric_value,
    parse_gates,
    tightened,
)
from shopagent.evals._records import ConversationRecord, RunResult, TurnRecord, TurnScore
from shopagent.evals._report import load_run, render_html, save_run
from shopagent.evals._runner import default_service_factory, run_conversations
from shopagent.evals._scoring import score_conversation, score_turn, summarize

__all__ = [
    "DEFAULT_PRICES",
    "FORMAT",
    "Conversation",
    "ConversationRecord",
    "EvalConfig",
    "Expectations",
    "ImageRef",
    "RunDiff",
    "RunResult",
    "TierPrice",
    "Turn",
    "TurnRecord",
    "TurnScore",
    "TurnTrace",
    "check_gates",
    "default_service_factory",
    "diff_runs",
    "dump_conversations",
    "export_sessions",
    "gate_blocks",
    "history_to_conversation",
    "json_schema",
    "load_config",
    "load_conversations",
    "load_datasets",
    "load_run",
    "load_thresholds",
    "metric_value",
    "parse_gates",
    "render_html",
    "run_conversations",
    "save_run",
    "score_conversation",
    "score_turn",
    "select_conversations",
    "summarize",
    "tightened",
]
