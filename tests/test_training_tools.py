"""Training helpers at their edges: a rare label under the SVM loss, the contamination check's batch filter."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from classifier.estimators import MultiLabelLinear

ROOT = Path(__file__).resolve().parent.parent


def test_svm_loss_fits_a_label_with_a_single_positive_row():
    rng = np.random.default_rng(0)
    X = sp.csr_matrix(rng.random((12, 6)))
    Y = np.zeros((12, 2), dtype=int)
    Y[:6, 0] = 1
    Y[3, 1] = 1  # one positive row: no held-out fold for Platt scaling
    model = MultiLabelLinear(loss="svm").fit(X, Y)
    proba = model.predict_proba(X)
    assert np.isfinite(proba).all() and proba[3, 1] > proba[np.arange(12) != 3, 1].max()


def test_contamination_check_names_a_batch_glob_that_matches_nothing(tmp_path):
    held_out = tmp_path / "eval.jsonl"
    held_out.write_text(json.dumps({"text": "Un paragraphe d'évaluation."}) + "\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "training.contamination", str(held_out), "--batches", "nothing-here-*.jsonl"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 2
    assert "no batch file" in result.stderr and "nothing-here-*.jsonl" in result.stderr
