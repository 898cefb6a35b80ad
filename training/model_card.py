"""MODEL_CARD.md, written into every model directory from its manifest."""

from __future__ import annotations

from typing import Any


def _table(rows: list[list[str]], header: list[str]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def model_card(manifest: dict[str, Any], evaluation: dict[str, Any] | None = None) -> str:
    """What the model is, what it was trained on, how well it did, where it fails."""
    training = manifest["training"]
    recipe = training["recipe"]
    blocks = [f"stemmed word {recipe['word_ngrams'][0]}-{recipe['word_ngrams'][1]}-grams"] if recipe["word_ngrams"] else []
    if recipe.get("char_ngrams"):
        blocks.append(f"character {recipe['char_ngrams'][0]}-{recipe['char_ngrams'][1]}-grams")
    if "taxonomy" in training:
        blocks.append("the taxonomy's lexicon")
    parts = [
        f"# Model card: {manifest['name']}",
        "",
        f"A TF-IDF ({', '.join(blocks)}) plus linear-model ({recipe.get('loss', 'logistic, SGD')}) classifier of French "
        "news paragraphs, trained by `wiretag train`.",
        "",
        "## Training data",
        _table([[d["path"], "-" if d["rows"] is None else str(d["rows"]), d["sha256"][:16]] for d in training["data"]], ["file", "rows", "sha256 (16)"]),
        "",
        f"Seed {training['seed']}; recipe: `{training['recipe']}`.",
    ]
    if "rows_read" in training:
        parts.append(f"Rows with a `weight` count that many times: {training['rows_read']} rows read, "
                     f"{training['rows']} as trained; the label counts below count the same way.")
    if "taxonomy" in training:
        parts.append(f"Labels checked against `{training['taxonomy']['file']}` (sha256 {training['taxonomy']['sha256'][:16]}).")
    for name, head in manifest["heads"].items():
        cv = manifest["cv_metrics"].get(name, {})
        parts += ["", f"## Head `{name}` ({head['task']})", ""]
        rows = [
            [label, str(head["label_counts"].get(label, 0)), f"{head['thresholds'][label]:.3f}" if head["thresholds"] else "-",
             f"{cv.get('f1', {}).get(label, 0):.3f}"]
            for label in head["labels"]
        ]
        parts.append(_table(rows, ["label", "training rows", "threshold", "cross-validated F1"]))
        headline = ", ".join(f"{k} {v}" for k, v in cv.items() if k != "f1")
        if training.get("streaming"):
            held = training["held_out_metrics"].get(name, {})
            headline = ", ".join(f"{k} {v}" for k, v in held.items() if k != "f1")
            parts += ["", f"Trained out of core (`--streaming`); on {training['held_out_rows']} held-out rows: {headline}."]
        else:
            parts += ["", f"Cross-validated (grouped {training['recipe']['cv_folds']}-fold): {headline}."]
    if evaluation:
        files = ", ".join(f"`{d['path']}` ({d['rows']} rows)" for d in manifest["evaluation"]["data"])
        parts += ["", f"## Evaluation on {files}", ""]
        for name, report in evaluation.items():
            parts.append(f"- `{name}`: " + ", ".join(f"{k} {v}" for k, v in report.items() if k != "f1"))
            parts.append("  - per label F1: " + ", ".join(f"{k} {v}" for k, v in report["f1"].items()))
    parts += [
        "",
        "## Intended use and limitations",
        "",
        "- Tags paragraphs of French-language news with the labels above; one paragraph at a time, "
        "no document context.",
        "- Learned from the files listed above only: text far from them (other languages, social "
        "media, very long documents) scores worse than the figures here.",
        "- Thresholds were tuned on cross-validated scores of the training data; written corpora are "
        "cleaner than real wires, so expect lower recall on real text than cross-validation shows.",
        "- A linear bag-of-n-grams model: it can be fooled by negation, irony and rare senses of words; "
        "use `wiretag explain` to see which n-grams drove a label.",
        "",
    ]
    return "\n".join(parts)
