"""The mention stage works out the source of a route, outcome or quantity only for
the mentions it keeps: each kept mention has the source a fresh attribution gives
it, and the other-use word gate says yes wherever the other-use check matches."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from extractor.ingest import load_document
from extractor.mentions.attribution import SourceAttributor
from extractor.mentions.indication import is_about_other_use

ROOT = Path(__file__).resolve().parent.parent.parent
PAPERS = sorted((ROOT / "corpus").glob("*.txt"))[:12] + sorted((ROOT / "realtext" / "dev" / "docs").glob("*.txt"))[:6]


def test_kept_mentions_have_their_own_source(extractor, mention_builder):
    stage = extractor.nlp.get_pipe("sts_mentions_v1")
    checked = 0
    for path in PAPERS:
        with ExitStack() as stack:
            builder = mention_builder(load_document(path), stack)
            structure = builder.doc._.structure
            mentions = builder.build()
        assert not builder._deferring and not builder._unsourced
        fresh = SourceAttributor(structure, stage.citation_patterns)
        for mention in mentions:
            expected = fresh.source_of(builder.sentence_index(mention.start), mention.start, mention.end)
            assert mention.source == expected, (path.name, mention)
            checked += 1
    assert checked > 50


def test_other_use_gate_lets_every_match_through(extractor):
    stage = extractor.nlp.get_pipe("sts_mentions_v1")
    assert stage.other_use_words is not None
    texts = [
        "Regression of vascular calcification was seen after sodium thiosulfate.",
        "Complete resolution of nephrolithiasis and of the calciphylaxis ulcer.",
        "The VASCULAR CALCIFICATION score improved, and the wound healed.",
        "Improvement in cyanide poisoning was rapid.",
    ]
    for path in PAPERS:
        texts.append(path.read_text(encoding="utf-8"))
    matched = passed = tried = 0
    for text in texts:
        for start in range(0, len(text), 37):
            end = min(len(text), start + 12)
            tried += 1
            gate = stage._may_name_other_use(text, start, end)
            passed += gate
            if is_about_other_use(stage.other_use_object, text, start, end):
                matched += 1
                assert gate, text[max(0, start - 60) : end + 80]
    assert matched and passed < tried  # the check matches somewhere, and the gate shuts somewhere
