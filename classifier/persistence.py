"""Model directories: `model.joblib` + `manifest.json`, saved atomically, loaded safely.

A joblib file is a pickle, and unpickling can run any code. So loading
(1) refuses a directory without a well-formed manifest, (2) checks the
manifest's SHA-256 of `model.joblib` before reading a byte of pickle, and
(3) unpickles with an allow-list of exactly the types a wiretag model is made
of, so a crafted file cannot call anything else.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import warnings
from collections.abc import Mapping
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any

from classifier.errors import ModelError

MODEL_FILE = "model.joblib"
MANIFEST_FILE = "manifest.json"
PREDICTOR_FILE = "predictor.npz"  # `classifier.compiled`: the prediction-only form
FORMAT_VERSION = 3  # 3: word tokens from `joined_tokens` (numbers, elisions, letters with digits)
DEFAULT_MODEL_NAME = "themes-fr"
MODEL_ENV = "WIRETAG_MODEL"


def default_model_dir() -> Path:
    """The shipped model: inside the installed package, or in the source tree."""
    packaged = resources.files("classifier").joinpath("_models", DEFAULT_MODEL_NAME)
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "models" / DEFAULT_MODEL_NAME


def resolve_model_dir(model: str | Path | None) -> Path:
    """`--model`, else `$WIRETAG_MODEL`, else the shipped default model."""
    chosen = model or os.environ.get(MODEL_ENV)
    return Path(chosen) if chosen else default_model_dir()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def library_versions() -> dict[str, str]:
    import platform

    import numpy
    import sklearn

    from classifier import __version__

    return {
        "wiretag": __version__,
        "scikit-learn": sklearn.__version__,
        "numpy": numpy.__version__,
        "python": platform.python_version(),
    }


def save_model(
    model: Any,
    directory: str | Path,
    manifest: Mapping[str, Any],
    *,
    extra_files: Mapping[str, str] | None = None,
    force: bool = False,
) -> Path | None:
    """Write a model directory so that no reader ever sees half of it.

    Everything is written into a temporary sibling directory, flushed, then
    renamed into place. An existing model is kept: refused without `force`,
    moved aside to a time-stamped backup with it. Returns the backup's path, if any.
    """
    import joblib

    target = Path(directory)
    if target.exists() and not force:
        raise ModelError(f"{target} exists; pass --force to replace it (the old model is kept as a backup)")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))
    try:
        model_path = staging / MODEL_FILE
        joblib.dump(model, model_path)
        full_manifest = {
            "format_version": FORMAT_VERSION,
            **manifest,
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "versions": library_versions(),
            "model_sha256": file_sha256(model_path),
        }
        if _write_predictor(model, staging / PREDICTOR_FILE):
            full_manifest["predictor_sha256"] = file_sha256(staging / PREDICTOR_FILE)
            _fsync(staging / PREDICTOR_FILE)
        _write_text(staging / MANIFEST_FILE, json.dumps(full_manifest, indent=2, ensure_ascii=False) + "\n")
        for name, text in (extra_files or {}).items():
            _write_text(staging / name, text)
        _fsync(model_path)
        backup = None
        if target.exists():
            stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
            backup = target.with_name(f"{target.name}.bak-{stamp}")
            os.replace(target, backup)
        os.replace(staging, target)
        return backup
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _write_predictor(model: Any, path: Path) -> bool:
    from classifier.compiled import write_predictor
    from classifier.model import Tagger

    return isinstance(model, Tagger) and write_predictor(model, path)


def _write_text(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def read_manifest(directory: str | Path) -> dict[str, Any]:
    """The manifest of a model directory, refused when missing or malformed."""
    directory = Path(directory)
    path = directory / MANIFEST_FILE
    if not directory.is_dir():
        raise ModelError("no model directory here", path=directory)
    if not path.is_file():
        raise ModelError("model has no manifest.json; refusing to load an unverified model", path=directory)
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"malformed manifest ({exc}); refusing to load", path=path) from None
    if not isinstance(manifest, dict):
        raise ModelError("malformed manifest (not a JSON object); refusing to load", path=path)
    for key in ("format_version", "model_sha256", "heads", "versions"):
        if key not in manifest:
            raise ModelError(f"malformed manifest: '{key}' is missing; refusing to load", path=path, field=key)
    if manifest["format_version"] != FORMAT_VERSION:
        raise ModelError(
            f"model format {manifest['format_version']} is not {FORMAT_VERSION}; retrain it with this wiretag",
            path=path,
            field="format_version",
        )
    return manifest


def load_model(directory: str | Path | None = None) -> tuple[Any, dict[str, Any]]:
    """Load a model directory (default: the shipped model) after checking it."""
    directory = resolve_model_dir(directory)
    manifest = read_manifest(directory)
    model_path = directory / MODEL_FILE
    if not model_path.is_file():
        raise ModelError(f"{MODEL_FILE} is missing", path=directory)
    _check_sha256(model_path, manifest["model_sha256"])
    _warn_on_version_change(manifest)
    from classifier.safe_pickle import safe_load

    return safe_load(model_path), manifest


def load_predictor(directory: str | Path | None = None) -> tuple[Any, dict[str, Any]]:
    """A model for tagging only: its `predictor.npz` when it has one (no scikit-learn, no pickle), else `load_model`.

    `explain` and anything that needs the scikit-learn pipeline use `load_model`.
    """
    directory = resolve_model_dir(directory)
    manifest = read_manifest(directory)
    path = directory / PREDICTOR_FILE
    expected = manifest.get("predictor_sha256")
    if not expected or not path.is_file():
        return load_model(directory)
    _check_sha256(path, expected)
    from classifier.compiled import read_predictor

    try:
        return read_predictor(path), manifest
    except (KeyError, ValueError, TypeError, AttributeError, OSError) as exc:
        raise ModelError(f"cannot read the predictor ({exc.__class__.__name__}: {exc})", path=path) from None


def _check_sha256(path: Path, expected: str) -> None:
    """Refuse a file whose SHA-256 is not the manifest's, before reading a byte of it as a model."""
    actual = file_sha256(path)
    if actual != expected:
        raise ModelError(
            f"SHA-256 mismatch: manifest says {expected[:12]}…, file is {actual[:12]}…; "
            "the model was altered or damaged, refusing to load",
            path=path,
        )


def _warn_on_version_change(manifest: Mapping[str, Any]) -> None:
    import sklearn

    saved = manifest["versions"].get("scikit-learn")
    if saved != sklearn.__version__:
        warnings.warn(
            f"model saved with scikit-learn {saved}, running {sklearn.__version__}: "
            "predictions may differ; retrain with `wiretag train` to silence this",
            stacklevel=3,
        )
