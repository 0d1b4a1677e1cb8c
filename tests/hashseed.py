"""Run a snippet of Python in a fresh process under a given string hashing
(``PYTHONHASHSEED``): what it prints must not depend on the seed when the code it reads is
deterministic (tests of replayable readings and orders)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def printed_under_seed(script: str, seed: int) -> str:
    env = {**os.environ, "PYTHONHASHSEED": str(seed)}
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return out.stdout
