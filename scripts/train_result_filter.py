"""Train the result filter (extractor/mentions/result_filter.py) on the project's gold sets.

Every outcome candidate the rules produce on a labelled document is an example:
KEEP when it overlaps a gold outcome, DROP otherwise. The classifier is spaCy's
TextCatBOW (unigrams and bigrams), trained with a fixed seed on CPU in seconds.

    python scripts/train_result_filter.py            # train on every set, save to patterns/learned/result_filter
    python scripts/train_result_filter.py --ablation # leave one set out: rules alone vs rules + filter
    python scripts/train_result_filter.py --ablation --only closing  # the same, for the named sets only

Every labelled set is used; all of them have been scored on first contact
already (README), so the ablation is leave one set out.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractor.evaluate.gold import labelled_documents, load_gold  # noqa: E402
from extractor.evaluate.score import score  # noqa: E402
from extractor.ingest import load_document  # noqa: E402
from extractor.mentions.reader import Extractor  # noqa: E402
from extractor.mentions.result_filter import (  # noqa: E402
    DROP,
    KEEP,
    MODEL_DIR,
    ResultFilter,
    classifier_text,
    save_filter,
    train_filter,
)
from extractor.nlp.field_matcher import CANDIDATES  # noqa: E402

SETS = {
    "corpus": ("corpus", "gold"),
    "shared16": ("realtext/shared16/docs", "realtext/shared16/gold"),
    "dev": ("realtext/dev/docs", "realtext/dev/gold"),
    "dev2": ("realtext/dev2/docs", "realtext/dev2/gold"),
    "test": ("realtext/test/docs", "realtext/test/gold"),
    "holdout": ("realtext/holdout/docs", "realtext/holdout/gold"),
    "final": ("realtext/final/docs", "realtext/final/gold"),
    "sealed": ("realtext/sealed/docs", "realtext/sealed/gold"),
    "blind": ("realtext/blind/docs", "realtext/blind/gold"),
    "last": ("realtext/last/docs", "realtext/last/gold"),
    "fresh": ("realtext/fresh/docs", "realtext/fresh/gold"),
    "fresh2": ("realtext/fresh2/docs", "realtext/fresh2/gold"),
    "closing": ("realtext/closing/docs", "realtext/closing/gold"),
    "envoi": ("realtext/envoi/docs", "realtext/envoi/gold"),
}
SEED = 0
EPOCHS = 12
DROP_THRESHOLD = 0.5


def set_documents(name: str) -> list[tuple[str, Path]]:
    docs_dir, gold_dir = (ROOT / p for p in SETS[name])
    labelled = labelled_documents(gold_dir)
    return [(path.stem, path) for path in sorted(docs_dir.iterdir()) if path.stem in labelled]


def extract_set(extractor: Extractor, name: str) -> list[dict]:
    rows = []
    for _, path in set_documents(name):
        for mention in extractor.read(load_document(path)).mentions:
            rows.append(mention.row())
    return rows


def examples_of(extractor: Extractor, name: str) -> list[tuple[str, str]]:
    """(classifier text, KEEP/DROP) for every outcome candidate the matcher
    finds in a set, before the rule filters: the filters leave too few wrong
    results on sets they were tuned on to learn from."""
    gold = [g for g in load_gold(ROOT / SETS[name][1]) if g["field"] == "outcome"]
    by_doc: dict[str, list[dict]] = {}
    for g in gold:
        by_doc.setdefault(g["doc_id"], []).append(g)
    examples = []
    for doc_id, path in set_documents(name):
        doc = extractor.nlp(load_document(path).text)
        seen = set()
        for span in doc.spans[CANDIDATES]:
            if span.label_ != "outcome" or (span.start_char, span.end_char) in seen:
                continue
            seen.add((span.start_char, span.end_char))
            overlaps = any(g["start"] < span.end_char and span.start_char < g["end"] for g in by_doc.get(doc_id, []))
            examples.append((classifier_text(span.text, span.sent.text), KEEP if overlaps else DROP))
    return examples


def measure(extractor: Extractor, name: str) -> dict[str, float]:
    gold_dir = ROOT / SETS[name][1]
    result = score(load_gold(gold_dir), extract_set(extractor, name), labelled_documents(gold_dir))
    micro = result.micro(result.lenient)
    facts = result.micro(result.facts)
    outcome = result.lenient["outcome"]
    return {"micro": micro.f1, "fact": facts.f1, "outcome_p": outcome.precision, "outcome_r": outcome.recall}


def ablation(rules_only: Extractor, threshold: float, only: list[str]) -> None:
    examples = {name: examples_of(rules_only, name) for name in SETS}
    print(
        f"leave one set out: trained on the other sets, measured on this one (lenient F1; drop when P(DROP) >= {threshold})"
    )
    print(
        f"{'set':9} {'examples':>8} {'drop':>5} | {'rules micro':>11} {'+filter':>8} | {'rules fact':>10} {'+filter':>8} | "
        f"{'outcome P':>9} {'+filter':>8} | {'outcome R':>9} {'+filter':>8}"
    )
    for name in only or SETS:
        train_on = [e for other, items in examples.items() if other != name for e in items]
        nlp = train_filter(train_on, seed=SEED, epochs=EPOCHS)
        with_filter = Extractor(learned=False)
        with_filter.nlp.get_pipe("sts_mentions_v1").result_filter = ResultFilter(nlp, threshold)  # the mention stage
        base, learned = measure(rules_only, name), measure(with_filter, name)
        drops = sum(1 for _, label in examples[name] if label == DROP)
        print(
            f"{name:9} {len(examples[name]):>8} {drops:>5} | {base['micro']:>11.3f} {learned['micro']:>8.3f} | "
            f"{base['fact']:>10.3f} {learned['fact']:>8.3f} | {base['outcome_p']:>9.3f} {learned['outcome_p']:>8.3f} | "
            f"{base['outcome_r']:>9.3f} {learned['outcome_r']:>8.3f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ablation", action="store_true", help="leave-one-set-out comparison; saves nothing")
    parser.add_argument("--only", nargs="*", default=[], choices=sorted(SETS), help="with --ablation: these sets only")
    parser.add_argument("--out", type=Path, default=ROOT / "patterns" / MODEL_DIR)
    parser.add_argument(
        "--threshold", type=float, default=DROP_THRESHOLD, help="P(DROP) from which a candidate is dropped"
    )
    args = parser.parse_args()
    rules_only = Extractor(learned=False)
    if args.ablation:
        ablation(rules_only, args.threshold, args.only)
        return
    examples = {name: examples_of(rules_only, name) for name in SETS}
    with tempfile.TemporaryDirectory() as tmp:
        staged = Path(tmp) / "result_filter"
        nlp = train_filter([e for items in examples.values() for e in items], seed=SEED, epochs=EPOCHS)
        save_filter(
            nlp,
            staged,
            {
                "drop_threshold": args.threshold,
                "seed": SEED,
                "epochs": EPOCHS,
                "examples": {k: len(v) for k, v in examples.items()},
            },
        )
        args.out.parent.mkdir(parents=True, exist_ok=True)
        if args.out.exists():
            shutil.rmtree(args.out)
        shutil.copytree(staged, args.out)
    print(f"saved {args.out} ({sum(len(v) for v in examples.values())} examples)")


if __name__ == "__main__":
    main()
