"""A scripted OpenAI-compatible model in its own process, for benchmarks: every chat
completion answers a short text after ``--delay-ms``. Prints its base URL, then serves
until killed."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shopagent.agent.fake_openai import FakeOpenAIServer, FakeReply  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--delay-ms", type=float, default=500)
    args = p.parse_args()
    reply = FakeReply(text="Here are a few options you might like.", delay_s=args.delay_ms / 1000)
    with FakeOpenAIServer(responder=lambda body: reply) as server:
        print(server.base_url, flush=True)
        while True:
            time.sleep(3600)


if __name__ == "__main__":
    main()
