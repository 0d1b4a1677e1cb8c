"""Regenerate conversation.schema.json from the pydantic models.

python -m shopagent.evals.schema
"""

from __future__ import annotations

import json
from pathlib import Path

from shopagent.evals._format import json_schema

PATH = Path(__file__).with_name("conversation.schema.json")


def render() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    PATH.write_text(render(), encoding="utf-8")
    print(f"wrote {PATH}")
