"""The README's walkthrough, end to end: add a theme, check the data, train, evaluate, gate."""

from __future__ import annotations

import json
import random
from pathlib import Path

from typer.testing import CliRunner

from classifier.cli import app

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_add_a_cybersecurity_theme(tmp_path):
    # 1. One entry in (a copy of) the taxonomy.
    taxonomy = tmp_path / "taxonomy.toml"
    taxonomy.write_text(
        (ROOT / "training/taxonomy.toml").read_text(encoding="utf-8")
        + '\n[labels.cybersecurity]\nname = "cybersécurité"\n'
        'definition = "cyberattacks, state hacking and cyber-espionage, cybercrime networks, cyber-defence policy"\n'
        'lexicon = ["cyberattaque*", "rancongiciel*", "ransomware", "piratage*", "pirate* informatique*", "hacker*"]\n',
        encoding="utf-8",
    )
    # 2. Labelled paragraphs in the data: a slice of the corpus plus the new theme's examples.
    corpus = [json.loads(l) for l in (ROOT / "training/data/themes-train.jsonl").read_text(encoding="utf-8").splitlines()]
    cyber = [json.loads(l) for l in (ROOT / "docs/walkthrough/cybersecurity.jsonl").read_text(encoding="utf-8").splitlines()]
    random.Random(0).shuffle(corpus)
    held_out = {r["story"] for r in cyber[::4]}
    train_rows = corpus[:500] + [r for r in cyber if r["story"] not in held_out]
    test_rows = corpus[500:600] + [r for r in cyber if r["story"] in held_out]
    train_file, test_file = tmp_path / "train.jsonl", tmp_path / "test.jsonl"
    for path, rows in ((train_file, train_rows), (test_file, test_rows)):
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    # 3. wiretag data check.
    checked = run("data", "check", train_file, "--test", test_file, "--taxonomy", taxonomy)
    assert checked.exit_code == 0, checked.stdout
    assert "cybersecurity" in checked.stdout
    # 4. wiretag train, then evaluate with a gate on the new theme.
    model = tmp_path / "model"
    trained = run("train", train_file, "-o", model, "--taxonomy", taxonomy, "--quiet")
    assert trained.exit_code == 0, trained.output
    manifest = json.loads((model / "manifest.json").read_text())
    assert "cybersecurity" in manifest["heads"]["labels"]["labels"]
    evaluated = run("evaluate", test_file, "-m", model, "--fail-under", "f1:cybersecurity=0.5")
    assert evaluated.exit_code == 0, evaluated.output
    tagged = json.loads(run("predict", "-m", model,
                            "Une cyberattaque par rançongiciel a paralysé les serveurs de la mairie.").stdout)
    assert "cybersecurity" in tagged["labels"]
