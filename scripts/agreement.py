"""Inter-annotator agreement between two gold folders, and the disagreements
to reconcile.

Agreement is the scorer's lenient F1 with one annotator taken as reference
(symmetric: F1 does not depend on which), per field and micro, plus agreement
on source and normalized values over the mentions both labelled. Documents
are the ones both annotators labelled (a gold file, possibly empty).

    python scripts/agreement.py A_DIR B_DIR [--docs DOCS_DIR] [--disagreements FILE]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extractor.evaluate.gold import labelled_documents, load_gold
from extractor.evaluate.score import format_errors, format_table, labelled_fields, score


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", type=Path)
    parser.add_argument("b", type=Path)
    parser.add_argument("--docs", type=Path, help="document folder, for the context of each disagreement")
    parser.add_argument("--disagreements", type=Path, help="write the disagreements here")
    args = parser.parse_args()
    both = labelled_documents(args.a) & labelled_documents(args.b)
    a = [r for r in load_gold(args.a) if r["doc_id"] in both]
    b = [r for r in load_gold(args.b) if r["doc_id"] in both]
    result = score(a, b, both, labelled_fields(a + b))
    print(f"agreement of {args.b} with {args.a} on {len(both)} documents (lenient F1 = agreement)")
    print(format_table(result))
    if args.disagreements:
        texts = {}
        if args.docs:
            texts = {p.stem: p.read_text(encoding="utf-8") for p in args.docs.glob("*.txt")}
        report = format_errors(result, texts)
        # folders of the same name (two annotators' gold_S) are told apart by their parents
        a_name, b_name = (
            (args.a.name, args.b.name)
            if args.a.name != args.b.name
            else (f"{args.a.parent.name}/{args.a.name}", f"{args.b.parent.name}/{args.b.name}")
        )
        names = {"FP ": f"ONLY_IN_{b_name} ", "FN ": f"ONLY_IN_{a_name} ", "ATTR ": "DIFFERENT (A | B) "}
        report = "\n".join(
            next((names[k] + line[len(k) :] for k in names if line.startswith(k)), line) for line in report.splitlines()
        )
        args.disagreements.write_text(report + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
