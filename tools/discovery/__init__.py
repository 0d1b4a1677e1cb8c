"""Discovery beyond search: complete the look, gift plans, boards and a shopper's taste.

The tools here read the catalog (``ctx.catalog``) and the commerce stores
(``ctx.stores``); what goes with what is learned from the shop's own looks, collections
and orders (see :mod:`tools.discovery._complements`).
"""

from shopagent.tools.discovery import _words as words
from shopagent.tools.discovery._boards import BOARD_TOOLS, shared_board
from shopagent.tools.discovery._complements import ComplementModel, load_defaults
from shopagent.tools.discovery._engine import data_dir_of, fit_model, model_for
from shopagent.tools.discovery._gifts import GIFT_TOOLS
from shopagent.tools.discovery._looks import LOOK_TOOLS, rank_complements
from shopagent.tools.discovery._taste import PROFILE_TOOLS, Taste, default_options, personalise

DISCOVERY_TOOLS = [*LOOK_TOOLS, *GIFT_TOOLS, *BOARD_TOOLS, *PROFILE_TOOLS]

__all__ = [
    "DISCOVERY_TOOLS",
    "ComplementModel",
    "Taste",
    "data_dir_of",
    "default_options",
    "fit_model",
    "load_defaults",
    "model_for",
    "personalise",
    "rank_complements",
    "shared_board",
    "words",
]
