"""The corpus datasheet: figures computed from the data, never typed by hand.

    python -m training.datasheet            # prints the figures
    python -m training.datasheet --write    # regenerates the figures block of training/data/README.md

The figures cover the assembled corpus (train + test split): counts per
theme, topic and register, hard negatives, multi-theme share, countries and
regions, lengths, co-occurrences, and the agreement of the blind relabelling
pass (training/data/blind-pass/) and of the review of suspect labels
(training/data/review/).
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections import Counter
from pathlib import Path
from typing import Any

from training.records import read_records

DATA = Path(__file__).resolve().parent / "data"
SPLITS = ("themes-train.jsonl", "themes-test.jsonl")
BLIND = DATA / "blind-pass"
REVIEW = DATA / "review" / "suspects-reviewed.jsonl"
TOPIC_REVIEW = DATA / "review" / "topics-reviewed.jsonl"
TOPIC_CONTROLS = DATA / "review" / "topics-controls.jsonl"
BEGIN, END = "<!-- figures:begin (python -m training.datasheet --write) -->", "<!-- figures:end -->"

REGIONS = {
    "Sahel": "BF ML NE TD MR",
    "Maghreb and Libya": "DZ MA TN LY EH",
    "West Africa (coast)": "SN GM GN GW SL LR CI GH TG BJ NG CV",
    "Central Africa": "CM CF CD CG GA GQ ST",
    "Great Lakes and East Africa": "RW BI UG KE TZ",
    "Horn of Africa and Sudan": "ET ER DJ SO SD SS",
    "Southern Africa and Indian Ocean": "AO ZA MZ ZM ZW MW BW NA SZ MG KM MU SC YT",
    "Middle East and Egypt": "EG IL PS LB SY JO IQ IR SA AE QA KW OM YE TR",
    "Europe": "FR BE CH LU MC DE IT ES PT GB IE NL DK NO SE FI IS AT PL CZ HU RO BG GR HR RS BA AL XK MD UA RU "
              "EE LV LT CY MT EU GE AM AZ",
    "Asia and Pacific": "AF PK IN BD LK NP CN HK TW JP KR KP VN LA KH TH MM MY ID PH TL AU NZ NC TV KZ KG TJ",
    "Americas and Caribbean": "US CA MX GT HN SV NI PA CU DO HT JM CO VE EC PE BO BR PY UY AR CL GF MQ",
}
REGION_OF = {code: region for region, codes in REGIONS.items() for code in codes.split()}


def load_rows() -> list[dict[str, Any]]:
    return [{**row, "split": name.split("-")[1].split(".")[0]} for name in SPLITS for row in read_records(DATA / name)]


def _kappa(a: list[bool], b: list[bool]) -> float:
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b)) / n
    pa, pb = sum(a) / n, sum(b) / n
    expected = pa * pb + (1 - pa) * (1 - pb)
    return 1.0 if expected == 1 else (observed - expected) / (1 - expected)


def blind_agreement(rows: list[dict[str, Any]], themes: list[str]) -> dict[str, Any] | None:
    """Agreement of the first labels with the blind second pass, per theme and overall."""
    path = BLIND / "second-pass.jsonl"
    if not path.exists():
        return None
    first = {r["id"]: r for r in json.loads((BLIND / "first-pass.json").read_text(encoding="utf-8"))}
    second = read_records(path)
    per_theme = {}
    for theme in themes:
        a = [theme in first[s["id"]]["labels"] for s in second]
        b = [theme in s["labels"] for s in second]
        both = sum(x and y for x, y in zip(a, b))
        per_theme[theme] = {
            "first": sum(a), "second": sum(b),
            "agreement": round(sum(x == y for x, y in zip(a, b)) / len(a), 3),
            "kappa": round(_kappa(a, b), 3),
            "f1": round(2 * both / (sum(a) + sum(b)), 3) if sum(a) + sum(b) else 1.0,
        }
    return {
        "rows": len(second),
        "share_of_corpus": round(len(second) / len(rows), 3),
        "per_theme": per_theme,
        "label_sets_identical": round(sum(set(first[s["id"]]["labels"]) == set(s["labels"]) for s in second) / len(second), 3),
        "topic_agreement": round(sum(first[s["id"]]["topic"] == s["topic"] for s in second) / len(second), 3),
    }


def suspect_review() -> dict[str, Any] | None:
    """How many listed suspect labels were reviewed and how many the reviewer changed, per theme."""
    if not REVIEW.exists():
        return None
    decisions = read_records(REVIEW)
    per_theme: dict[str, dict[str, int]] = {}
    per_review: dict[int, dict[str, int]] = {}
    for d in decisions:
        changed = d["carries"] != d["labelled"]
        counts = per_theme.setdefault(d["theme"], {"reviewed": 0, "added": 0, "removed": 0})
        counts["reviewed"] += 1
        if changed:
            counts["added" if d["carries"] else "removed"] += 1
        review = per_review.setdefault(d.get("review", 1), {"reviewed": 0, "changed": 0})
        review["reviewed"] += 1
        review["changed"] += changed
    return {
        "reviewed": len(decisions),
        "changed": sum(counts["added"] + counts["removed"] for counts in per_theme.values()),
        "per_theme": dict(sorted(per_theme.items())),
        "per_review": dict(sorted(per_review.items())),
    }


def topic_review() -> dict[str, Any] | None:
    """How many suspect topics were reviewed and moved, and how often the same reviewers kept an unsuspected topic."""
    if not TOPIC_REVIEW.exists():
        return None
    decisions = read_records(TOPIC_REVIEW)
    moves = Counter(f"{d['labelled']} -> {d['carries']}" for d in decisions if d["carries"] != d["labelled"])
    per_review: dict[int, dict[str, int]] = {}
    for d in decisions:
        review = per_review.setdefault(d.get("review", 1), {"reviewed": 0, "changed": 0, "controls": 0, "controls_kept": 0})
        review["reviewed"] += 1
        review["changed"] += d["carries"] != d["labelled"]
    if TOPIC_CONTROLS.exists():
        for c in read_records(TOPIC_CONTROLS):
            review = per_review[c.get("review", 1)]
            review["controls"] += 1
            review["controls_kept"] += c["reviewed"] == c["labelled"]
    return {"reviewed": len(decisions), "changed": sum(moves.values()), "moves": dict(moves.most_common()),
            "per_review": dict(sorted(per_review.items()))}


def figures(rows: list[dict[str, Any]]) -> dict[str, Any]:
    themes = sorted({label for r in rows for label in r["labels"]})
    themed = [r for r in rows if r["labels"]]
    lengths = [len(r["text"]) for r in rows]
    countries = Counter(r["country"] for r in rows if r["country"])
    regions = Counter(REGION_OF.get(code, "other") for code in (r["country"] for r in rows) if code)
    sentences = [max(1, r["text"].count(". ") + r["text"].count("! ") + r["text"].count("? ") + 1) for r in rows]
    return {
        "rows": len(rows),
        "unique_texts": len({" ".join(r["text"].split()).casefold() for r in rows}),
        "split": dict(Counter(r["split"] for r in rows)),
        "stories": len({r["story"] for r in rows}),
        "themes": {t: sum(t in r["labels"] for r in rows) for t in themes},
        "no_theme": len(rows) - len(themed),
        "no_theme_topics": dict(Counter(r["topic"] for r in rows if not r["labels"]).most_common()),
        "topics": dict(Counter(r["topic"] for r in rows).most_common()),
        "registers": dict(Counter(r["register"] for r in rows).most_common()),
        "dispatch_share": round(sum(r["register"] == "dispatch" for r in rows) / len(rows), 3),
        "hard_negatives": sum(bool(r["hard_negative"]) for r in rows),
        "hard_negatives_without_theme": sum(bool(r["hard_negative"]) and not r["labels"] for r in rows),
        "multi_theme_share_of_themed": round(sum(len(r["labels"]) > 1 for r in themed) / len(themed), 3),
        "countries": len(countries),
        "regions": dict(regions.most_common()),
        "top_countries": dict(countries.most_common(15)),
        "length_chars": {"min": min(lengths), "median": statistics.median(lengths), "max": max(lengths),
                         "p10": sorted(lengths)[len(lengths) // 10], "p90": sorted(lengths)[len(lengths) * 9 // 10]},
        "sentences_estimate": dict(sorted(Counter(min(s, 9) for s in sentences).items())),
        "cooccurrence": {a: {b: sum(a in r["labels"] and b in r["labels"] for r in rows) for b in themes} for a in themes},
        "blind_pass": blind_agreement(rows, themes),
        "suspect_review": suspect_review(),
        "topic_review": topic_review(),
    }


def render(f: dict[str, Any]) -> str:
    def table(mapping: dict, header: tuple[str, str]) -> str:
        lines = [f"| {header[0]} | {header[1]} |", "|---|---|"]
        lines += [f"| {k} | {v} |" for k, v in mapping.items()]
        return "\n".join(lines)

    themes = list(f["themes"])
    co = ["| | " + " | ".join(t[:8] for t in themes) + " |", "|---|" + "---|" * len(themes)]
    co += [f"| {a} | " + " | ".join(str(f["cooccurrence"][a][b]) for b in themes) + " |" for a in themes]
    parts = [
        BEGIN,
        f"**{f['rows']} paragraphs** ({f['unique_texts']} unique texts) in {f['stories']} stories; "
        f"split: {f['split'].get('train', 0)} train, {f['split'].get('test', 0)} test (grouped by story). "
        f"{f['no_theme']} carry no theme; {f['hard_negatives']} are hard negatives "
        f"({f['hard_negatives_without_theme']} of them with no theme); "
        f"{f['multi_theme_share_of_themed']:.1%} of themed paragraphs carry two or more themes; "
        f"`dispatch` is {f['dispatch_share']:.1%} of the registers; {f['countries']} countries.",
        "",
        "### Themes", table(f["themes"], ("theme", "paragraphs")),
        "", "### Topics (all paragraphs)", table(f["topics"], ("topic", "paragraphs")),
        "", "### Sections of the no-theme paragraphs", table(f["no_theme_topics"], ("topic", "paragraphs")),
        "", "### Registers", table(f["registers"], ("register", "paragraphs")),
        "", "### Regions (by main country)", table(f["regions"], ("region", "paragraphs")),
        "", "### Lengths", table(f["length_chars"], ("characters", "value")),
        "", "Sentences per paragraph (estimate, 9 = nine or more):", "",
        table(f["sentences_estimate"], ("sentences", "paragraphs")),
        "", "### Theme co-occurrence (diagonal: paragraphs carrying the theme)", "\n".join(co),
    ]
    blind = f["blind_pass"]
    if blind:
        rows = {t: f"{v['first']} / {v['second']}, agreement {v['agreement']:.3f}, kappa {v['kappa']:.3f}, F1 {v['f1']:.3f}"
                for t, v in blind["per_theme"].items()}
        parts += [
            "", f"### Blind second pass ({blind['rows']} paragraphs, {blind['share_of_corpus']:.1%} of the corpus)",
            "Counts are first pass / second pass. "
            f"Identical theme sets: {blind['label_sets_identical']:.1%}; same topic: {blind['topic_agreement']:.1%}.", "",
            table(rows, ("theme", "first / second, agreement, Cohen's kappa, F1 between passes")),
        ]
    review = f["suspect_review"]
    if review:
        rows = {t: f"{v['reviewed']} reviewed, {v['added']} added, {v['removed']} removed" for t, v in review["per_theme"].items()}
        parts += [
            "", f"### Review of suspect labels ({review['reviewed']} labels, {review['changed']} changed)",
            "Labels that out-of-fold scores contradicted (`python -m training.suspects`), "
            "judged blind by a reviewer against the taxonomy's rules. "
            + "; ".join(f"Review {n}: {v['reviewed']} labels, {v['changed']} changed" for n, v in review["per_review"].items())
            + ".", "",
            table(rows, ("theme", "decisions")),
        ]
    topics = f["topic_review"]
    if topics:
        moves = dict(list(topics["moves"].items())[:12])
        rounds = "; ".join(
            f"Review {n}: {v['reviewed']} paragraphs, {v['changed']} changed"
            + (f", the existing topic kept on {v['controls_kept']} of {v['controls']} unsuspected paragraphs mixed in"
               if v["controls"] else "")
            for n, v in topics["per_review"].items())
        parts += [
            "", f"### Review of suspect topics ({topics['reviewed']} paragraphs, {topics['changed']} changed)",
            "Topics that out-of-fold scores contradicted (`python -m training.suspects --head topic`), "
            "each paragraph given a desk blind by a reviewer under the rules of the topics; "
            f"a desk the reviewer was unsure of left the topic as it was. {rounds}.", "",
            table(moves, ("most frequent changes", "paragraphs")),
        ]
    parts.append(END)
    return "\n".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the figures block of training/data/README.md")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    f = figures(load_rows())
    if args.json:
        print(json.dumps(f, indent=2, ensure_ascii=False))
        return
    block = render(f)
    if args.write:
        readme = DATA / "README.md"
        text = readme.read_text(encoding="utf-8")
        head, _, rest = text.partition(BEGIN)
        _, _, tail = rest.partition(END)
        readme.write_text(head + block + tail, encoding="utf-8")
    print(block)


if __name__ == "__main__":
    main()
