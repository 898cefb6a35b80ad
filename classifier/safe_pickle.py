"""Unpickle a wiretag model with an allow-list of the types it is made of.

`find_class` is the only way a pickle reaches code; answering it from a fixed
set of (module, name) pairs means a crafted file can build only wiretag,
scikit-learn and numpy objects, and never call `os.system` or the like.
joblib routes the pickles nested in object arrays through the same method.
"""

from __future__ import annotations

import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any

from classifier.errors import ModelError


@lru_cache(maxsize=1)
def allowed_globals() -> frozenset[tuple[str, str]]:
    import numpy as np
    from joblib.numpy_pickle import NumpyArrayWrapper
    from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer, TfidfVectorizer
    from sklearn.pipeline import FeatureUnion, Pipeline

    from classifier.estimators import MulticlassLinear, MultiLabelLinear
    from classifier.features import LexiconFeatures
    from classifier.model import Head, Tagger
    from classifier.text import WordAnalyzer, normalize_folded

    objects: list[Any] = [
        Tagger,
        Head,
        MultiLabelLinear,
        MulticlassLinear,
        LexiconFeatures,
        WordAnalyzer,
        normalize_folded,
        TfidfVectorizer,
        TfidfTransformer,
        HashingVectorizer,  # models trained with --streaming
        FeatureUnion,
        Pipeline,
        NumpyArrayWrapper,
        np.ndarray,
        np.dtype,
        np.float32,
        np.float64,
        np.int32,
        np.int64,
    ]
    pairs = {(obj.__module__, obj.__qualname__) for obj in objects}
    # numpy's own reconstruction helpers and dtype classes, under both module paths numpy has used.
    for module in ("numpy.core.multiarray", "numpy._core.multiarray"):
        pairs |= {(module, "_reconstruct"), (module, "scalar")}
    for dtype in (np.float32, np.float64, np.int32, np.int64, np.bool_, np.str_):
        pairs.add(("numpy", type(np.dtype(dtype)).__name__))
        pairs.add(("numpy.dtypes", type(np.dtype(dtype)).__name__))
    pairs |= {("builtins", name) for name in ("set", "frozenset", "slice", "tuple", "list", "dict")}
    return frozenset(pairs)


def _restricted_unpickler():
    from joblib.numpy_pickle import NumpyUnpickler

    class RestrictedUnpickler(NumpyUnpickler):
        def find_class(self, module: str, name: str) -> Any:
            if (module, name) not in allowed_globals():
                raise ModelError(f"model file refers to {module}.{name}, which a wiretag model never holds; refusing to load")
            return super().find_class(module, name)

    return RestrictedUnpickler


def safe_load(path: str | Path) -> Any:
    """Unpickle a joblib file, allowing only the globals a wiretag model uses."""
    import pickle

    from sklearn.exceptions import InconsistentVersionWarning

    unpickler_class = _restricted_unpickler()
    with open(path, "rb") as handle, warnings.catch_warnings():
        # One clear warning is given by the caller from the manifest instead.
        warnings.simplefilter("ignore", InconsistentVersionWarning)
        try:
            return unpickler_class(str(path), handle, ensure_native_byte_order=True).load()
        except ModelError as exc:
            exc.path = str(path)
            raise
        except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError) as exc:
            raise ModelError(f"cannot read the model ({exc.__class__.__name__}: {exc})", path=path) from None
