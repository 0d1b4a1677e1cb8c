"""Scale benchmark: the serving process and its index at 10k / 100k / 1M products.

    make bench-scale                                          # 10k and 100k
    .venv/bin/python bench/scale.py --sizes 1000000 --embed-budget-s 1800   # 1M, bounded
    .venv/bin/python bench/scale.py --sizes 100000 --layouts scalar-ram,scalar-disk,none-ram

Per size and index layout it writes into bench/results/scale.json (merging with runs of
other sizes):
- ingest: real MiniLM text vectors (SHOPAGENT_TEXT_ENCODER, default onnx-int8) of the
  scale catalog (bench/_scale_data.py), embedded in chunks kept on disk, so a killed run
  resumes where it stopped (rerun the same command); then BM25, payloads, image
  descriptors and upserts into the engine opened by ``open_index`` (the service's), with
  progress; then the HNSW build, timed on its own. ``ingest_products_per_s`` assumes every
  product's text is distinct (embedding time per distinct text, times products).
- index_disk_mb: the index folder after the build.
- serve: a real ``shopagent serve`` started on the index as after a restart: seconds to
  ready and resident memory at ready and after a few chat turns.
- query: a fresh process opening the catalog the way ``serve`` does (bench/_scale_serve.py):
  filtered hybrid p50/p99 per filter kind (a rare brand; a common colour in stock; a price
  band; colour and price), the slowest queries with their filters, the service's whole
  search, recall@10 against exact search (float vectors, every candidate) on the same
  index in the same run, and memory after opening and after the queries.

With --embed-budget-s, once that many seconds went into embedding, the remaining products
get perturbed copies of real vectors (counted in ``borrowed_text_vectors``), so a large size
still yields memory, latency and recall figures; the ingest figure is then projected from
the measured rates, and says so.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from bench._scale_data import ImageVectors, VectorStore, chunks, products  # noqa: E402
from bench._scale_serve import probe, run_probe, serve_rss  # noqa: E402
from shopagent.retrieval.embed import TEXT_ENCODERS, SparseEncoder, TextEmbedder  # noqa: E402
from shopagent.retrieval.index import Conditions, IndexPoint, product_payload  # noqa: E402
from shopagent.retrieval.service import merchant_marker, open_index  # noqa: E402
from shopagent.settings import Settings  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "scale.json"
CHUNK = 4096
# Index layouts compared (docs/scale.md); the first is the service's default. Image
# vectors are int8 codes in RAM with floats on disk in every layout (since the choice was
# made; the 100k runs of the other layouts were built before, their image vectors
# followed the text layout: bench/results/scale.json "notes").
LAYOUTS: dict[str, dict[str, Any]] = {
    # The default: scalar-ram with the payload placed by the catalog's size (in RAM up to
    # SHOPAGENT_INDEX_PAYLOAD_RAM_MB: 10k and 100k; on disk at 1M, i.e. scalar-ram there).
    "scalar-ram-auto": {
        "quantization": "scalar",
        "vectors_on_disk": False,
        "payload_on_disk": "auto",
    },
    "scalar-ram": {"quantization": "scalar", "vectors_on_disk": False, "payload_on_disk": True},
    "scalar-disk": {"quantization": "scalar", "vectors_on_disk": True, "payload_on_disk": True},
    "text-ram": {"quantization": "none", "vectors_on_disk": False, "payload_on_disk": True},
    "binary-disk": {"quantization": "binary", "vectors_on_disk": True, "payload_on_disk": True},
    "none-ram": {"quantization": "none", "vectors_on_disk": False, "payload_on_disk": False},
}
QUERY_TEXTS = [
    "red dress", "running sneakers", "leather boots for men", "gold necklace",
    "wireless headphones", "oak dining table", "velvet sofa", "ceramic vase", "gift for kids",
    "yoga mat", "cast iron pan", "linen shirt", "backpack for laptop", "floor lamp",
    "smartwatch", "teddy bear", "summer sandals", "wool sweater", "planter for balcony",
    "coffee mug",
]  # fmt: skip
PRICE_BANDS = [(10, 40), (25, 75), (50, 150), (100, 300)]


def layout_env(name: str) -> dict[str, str]:
    lay = LAYOUTS[name]
    return {
        "SHOPAGENT_INDEX_QUANTIZATION": lay["quantization"],
        "SHOPAGENT_INDEX_VECTORS_ON_DISK": str(lay["vectors_on_disk"]).lower(),
        "SHOPAGENT_INDEX_PAYLOAD_ON_DISK": str(lay["payload_on_disk"]).lower(),
    }


def disk_mb(path: Path) -> float:
    # Allocated blocks, not file sizes: the engine preallocates sparse files.
    return round(sum(f.stat().st_blocks * 512 for f in path.rglob("*") if f.is_file()) / 2**20, 1)


def build(n: int, layout: str, data: Path, store: VectorStore, args: argparse.Namespace) -> dict:
    """Ingest ``n`` products into the index under ``data`` (resuming a killed run), then
    build HNSW. Returns the ingest figures."""
    state_file = data.parent / "progress.json"
    state: dict[str, Any] = (
        json.loads(state_file.read_text())
        if state_file.exists()
        else {"upserted": 0, "index_seconds": 0.0, "fresh": 0, "fresh_seconds": 0.0,
              "fresh_cpu_seconds": 0.0, "cached": 0, "borrowed": 0}
    )  # fmt: skip
    settings = Settings(data_dir=data, text_encoder=args.text_encoder, **_layout_kw(layout))
    index = open_index(settings)
    images, sparse = ImageVectors(), SparseEncoder()
    no_images = getattr(args, "no_images", False)
    index.ensure_collection(images.dim)
    if state["upserted"]:
        print(f"    resuming after {state['upserted']} products", flush=True)
    t_start, first = time.perf_counter(), state["upserted"]
    for k, lo, hi in chunks(n, CHUNK, state["upserted"]):
        batch = products(lo, hi)
        before = store.stats.__dict__.copy()
        vecs = store.vectors(k, [p.embedding_text() for p in batch])
        for key in ("fresh", "fresh_seconds", "fresh_cpu_seconds", "cached", "borrowed"):
            state[key] += getattr(store.stats, key) - before[key]
        t = time.perf_counter()
        index.upsert(
            [
                IndexPoint(
                    p.id,
                    vecs[j],
                    sparse.document(p.keyword_text()),
                    product_payload(p, store.text.name),
                    None if no_images else images(p),
                )
                for j, p in enumerate(batch)
            ]
        )
        state["index_seconds"] += time.perf_counter() - t
        state["upserted"] = hi
        if k % 8 == 7 or hi == n:  # flushed before recorded: a resume never skips products
            index.flush()  # type: ignore[attr-defined]
            state_file.write_text(json.dumps(state))
        el = time.perf_counter() - t_start
        done = hi - first
        print(
            f"    {hi:>8}/{n} products  embedded {state['fresh']} texts "
            f"({state['fresh'] / max(state['fresh_seconds'], 1e-9):.0f}/s)  "
            f"upserts {hi / max(state['index_seconds'], 1e-9):.0f}/s  "
            f"elapsed {el:.0f}s  eta {el / max(done, 1) * (n - hi):.0f}s",
            flush=True,
        )
    if "build_seconds" not in state:
        print("    building HNSW ...", flush=True)
        t = time.perf_counter()
        index.optimize()
        state["build_seconds"] = time.perf_counter() - t
        state_file.write_text(json.dumps(state))
    marker = merchant_marker(settings)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text("scale benchmark catalog\n")
    facets = {
        "brand": index.facet("brand_label", Conditions(), limit=100_000),
        "color": index.facet("color", Conditions(), limit=100),
    }
    index.close()
    # The embedding rate: of this build's own texts when it embedded enough of them,
    # else of every text this vector folder ever embedded (same encoder, same machine).
    own = state["fresh"] >= 2000
    tot = (
        {"texts": state["fresh"], "s": state["fresh_seconds"], "cpu_s": state["fresh_cpu_seconds"]}
        if own
        else _sibling_rate(data.parent, n) or store.measured()
    )
    if not tot["texts"]:
        raise SystemExit(f"no embedding rate measured in {store.root}: rerun with --rebuild")
    rate = tot["texts"] / tot["s"]
    total = n / rate + state["index_seconds"] + state["build_seconds"]
    return {
        "products": n,
        "facets": facets,
        "ingest": {
            "text_encoder": store.text.name,
            "embedded_texts_this_build": state["fresh"],
            "embed_texts_per_s": round(rate, 1),
            "embed_texts_per_cpu_s": round(tot["texts"] / tot["cpu_s"], 1),
            "embed_rate_measured_on_texts": tot["texts"],
            "vectors_from_earlier_runs": state["cached"],
            "borrowed_text_vectors": state["borrowed"],
            "upsert_products_per_s": round(n / state["index_seconds"], 1),
            "upsert_seconds": round(state["index_seconds"], 1),
            "hnsw_build_seconds": round(state["build_seconds"], 1),
            "ingest_seconds": round(total, 1),
            "ingest_products_per_s": round(n / total, 1),
            "basis": f"{n} products / embedding rate (distinct texts/s, measured on "
            f"{tot['texts']} texts{'' if own else ' by another build of these texts'})"
            " + upsert seconds + HNSW build seconds, each measured; the bench runs the "
            "stages one after another (the service's ingest overlaps embedding and upserts)",
        },
    }


def _sibling_rate(root: Path, n: int) -> dict[str, float] | None:
    """The embedding measured by another layout's build of the same size (same texts)."""
    for other in sorted(root.parent.glob(f"{n}-*/progress.json")):
        st = json.loads(other.read_text())
        if st.get("fresh", 0) >= 2000:
            return {
                "texts": st["fresh"],
                "s": st["fresh_seconds"],
                "cpu_s": st["fresh_cpu_seconds"],
            }
    return None


def _layout_kw(layout: str) -> dict[str, Any]:
    return {f"index_{k}": v for k, v in LAYOUTS[layout].items()}


def make_queries(facets: dict[str, dict[str, int]], n: int, count: int) -> list[dict]:
    rng = random.Random(3)
    lo, hi = max(3, n // 20_000), max(10, n // 1000)
    rare = sorted(b for b, c in facets["brand"].items() if lo <= c <= hi)
    common = max(facets["color"], key=facets["color"].__getitem__)
    out = []
    for i in range(count):
        text = rng.choice(QUERY_TEXTS)
        kind = ("rare_brand", "common_colour", "price_band", "colour_and_price")[i % 4]
        band = rng.choice(PRICE_BANDS)
        if kind == "rare_brand" and rare:
            brand = rng.choice(rare)
            f: dict[str, Any] = {"brand": brand}
            text = f"{brand} {text}" if rng.random() < 0.5 else text
        elif kind == "common_colour":
            f = {"color": common, "in_stock": True}
        elif kind == "price_band":
            f = {"price_min": band[0], "price_max": band[1], "in_stock": True}
        else:
            kind = "colour_and_price"
            f = {"color": common, "price_max": band[1]}
        out.append({"text": text, "class": kind, "filters": f})
    return out


def measure(n: int, layout: str, args: argparse.Namespace, store: VectorStore) -> dict:
    root = args.work / f"{n}-{layout}{'-noimg' if args.no_images else ''}"
    data = root / "data"
    if args.rebuild:
        shutil.rmtree(root, ignore_errors=True)
    (data / "models").mkdir(parents=True, exist_ok=True)
    onnx = data / "models" / "minilm-onnx"
    if not onnx.exists():  # the service finds its text model where make run built it
        onnx.symlink_to(args.model_dir.resolve())
    print(f"==> {n} products, layout {layout}", flush=True)
    built = build(n, layout, data, store, args)
    facets = built.pop("facets")
    result: dict[str, Any] = {**built, "layout": {"name": layout, **LAYOUTS[layout]}}
    result["image_vectors"] = not args.no_images
    result["index_disk_mb"] = disk_mb(data / "index")
    queries = make_queries(facets, n, args.queries)
    rare = next((q["filters"]["brand"] for q in queries if q["class"] == "rare_brand"), "Kakaka")
    result["rare_brand_products"] = facets["brand"].get(rare)
    env = {**layout_env(layout), "SHOPAGENT_TEXT_ENCODER": args.text_encoder}
    if not args.skip_serve:
        print("    shopagent serve ...", flush=True)
        if args.embedded_model_dir:
            env["SHOPAGENT_EMBEDDED_MODEL_DIR"] = str(args.embedded_model_dir.resolve())
        turns = [
            "show me black sneakers",
            "wool sweaters under 80",
            f"anything from {rare}?",
            "a floor lamp in white",
            "ceramic vases",
        ]
        result["serve"] = serve_rss(data, env, turns if args.embedded_model_dir else [])
    print("    queries in a fresh process ...", flush=True)
    result["query"] = run_probe(data, queries, env)
    result["machine"] = {"cpus": os.cpu_count(), "load_avg_1m": round(os.getloadavg()[0], 2)}
    result["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    print(json.dumps(_summary(result)), flush=True)
    return result


def _summary(r: dict) -> dict:
    serve = r.get("serve", {})
    q = r["query"]
    return {
        "products": r["products"],
        "layout": r["layout"]["name"],
        "serving_rss_mb": serve.get("after_turns", serve.get("at_ready", {})).get("rss_mb"),
        "query_process_rss_mb": q["after_queries"]["rss_mb"],
        "index_disk_mb": r["index_disk_mb"],
        "ingest_products_per_s": r["ingest"]["ingest_products_per_s"],
        "hnsw_build_seconds": r["ingest"]["hnsw_build_seconds"],
        "hybrid_filtered_p50_ms": q["hybrid_filtered_p50_ms"],
        "hybrid_filtered_p99_ms": q["hybrid_filtered_p99_ms"],
        "hybrid_filtered_cpu_p99_ms": q.get("hybrid_filtered_cpu_p99_ms"),
        "disk_page_faults_per_query": q.get("disk_page_faults_per_query"),
        "recall_at_10": q["recall_at_10"],
        "load_avg_1m": r.get("machine", {}).get("load_avg_1m"),
    }


def interleaved(args: argparse.Namespace) -> dict[str, Any]:
    """The probe alone on already built indexes, alternating layouts (and search-time
    oversampling) round by round, so a shared machine's load falls on all of them alike."""
    out: dict[str, Any] = {}
    keys = ("hybrid_filtered_p50_ms", "hybrid_filtered_p99_ms", "hybrid_filtered_cpu_p50_ms",
            "hybrid_filtered_cpu_p99_ms", "search_service_cpu_mean_ms", "recall_at_10",
            "dense_recall_at_10", "disk_page_faults_per_query")  # fmt: skip
    for n in (int(x) for x in args.sizes.split(",")):
        sfx = "-noimg" if args.no_images else ""
        first = args.work / f"{n}-{args.layouts.split(',')[0]}{sfx}" / "data" / "queries.json"
        queries = json.loads(first.read_text())
        for r in range(args.probe_rounds):
            for layout in args.layouts.split(","):
                for ov, th in itertools.product(
                    args.oversampling.split(","), args.search_threads.split(",")
                ):
                    env = {**layout_env(layout), "SHOPAGENT_INDEX_OVERSAMPLING": ov}
                    name = f"{layout}/oversampling-{ov}"
                    if th:
                        env["SHOPAGENT_INDEX_SEARCH_THREADS"] = th
                        name += f"/threads-{th}"
                    res = run_probe(args.work / f"{n}-{layout}{sfx}" / "data", queries, env)
                    row = {k: res[k] for k in keys} | {
                        "rss_after_queries_mb": res["after_queries"]["rss_mb"],
                        "load_avg_1m": round(os.getloadavg()[0], 2),
                    }
                    out.setdefault(str(n), {}).setdefault(name, []).append(row)
                    print(n, name, r, json.dumps(row), flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    settings = Settings()
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--layouts", default=next(iter(LAYOUTS)), help=f"of {', '.join(LAYOUTS)}")
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--work", type=Path, default=Path(settings.data_dir) / "bench-scale")
    ap.add_argument("--rebuild", action="store_true", help="drop built indexes (keeps vectors)")
    ap.add_argument("--skip-serve", action="store_true")
    ap.add_argument(
        "--no-images",
        action="store_true",
        help="index text only (halves upserts and the HNSW build; reported as such)",
    )
    ap.add_argument("--embed-budget-s", type=float, default=None)
    ap.add_argument("--text-encoder", choices=TEXT_ENCODERS, default=settings.text_encoder)
    ap.add_argument("--model-dir", type=Path, default=settings.data_dir / "models" / "minilm-onnx")
    emb = settings.embedded_model_path
    ap.add_argument("--embedded-model-dir", type=Path, default=emb if emb.exists() else None)
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--probe", type=Path, help=argparse.SUPPRESS)
    ap.add_argument(
        "--probe-rounds",
        type=int,
        default=0,
        help="only re-probe built indexes of --layouts, alternating, this many rounds",
    )
    ap.add_argument("--oversampling", default="2.0", help="with --probe-rounds: values to try")
    ap.add_argument(
        "--search-threads", default="", help="with --probe-rounds: engine search threads to try"
    )
    ap.add_argument("--label", default="interleaved", help="with --probe-rounds: key in --out")
    args = ap.parse_args()
    if args.probe:
        return probe(args.probe, args.probe / "queries.json", args.probe / "probe.json")
    if args.probe_rounds:
        found = interleaved(args)
        disk = json.loads(args.out.read_text()) if args.out.exists() else {}
        disk.setdefault(args.label, {}).update(found)
        args.out.write_text(json.dumps(disk, indent=2) + "\n")
        return None
    text = TextEmbedder(None, encoder=args.text_encoder, model_dir=args.model_dir)
    text.warm_up()  # builds the ONNX model in --model-dir if it is not there yet
    store = VectorStore(args.work / "vectors", text, budget_s=args.embed_budget_s)
    out: dict[str, Any] = {}  # this run's results only; merged into the file below
    for n in (int(s) for s in args.sizes.split(",")):
        for layout in args.layouts.split(","):
            try:
                r = measure(n, layout, args, store)
            except subprocess.CalledProcessError as exc:
                raise SystemExit(f"query probe failed: {exc}") from exc
            name = f"{n}/{layout}" + ("/no-images" if args.no_images else "")
            out.setdefault("runs", {})[name] = r
            if layout == next(iter(LAYOUTS)) and not args.no_images:
                out.setdefault("per_size", {})[str(n)] = _summary(r)
            key = layout + ("/no-images" if args.no_images else "")
            out.setdefault("layouts", {}).setdefault(str(n), {})[key] = _summary(r)
            out["targets"] = {
                "1000000": {"serving_rss_mb": 6144, "hybrid_filtered_p99_ms": 15,
                            "recall_at_10": 0.95},
                "100000": {"hybrid_filtered_p99_ms": 5},
            }  # fmt: skip
            args.out.parent.mkdir(parents=True, exist_ok=True)
            # Another run (another size) may have written meanwhile: merge this run's
            # entries into the file as it is now, entry by entry.
            disk = json.loads(args.out.read_text()) if args.out.exists() else {}
            for part in ("runs", "per_size"):
                disk.setdefault(part, {}).update(out.get(part, {}))
            for size, by_layout in out.get("layouts", {}).items():
                disk.setdefault("layouts", {}).setdefault(size, {}).update(by_layout)
            disk["targets"] = out["targets"]
            args.out.write_text(json.dumps(disk, indent=2) + "\n")
    text.close()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
