"""The indication gate: STS given for something other than a calcification of
skin or soft tissue yields no rows, and OUT.documents.csv says why.

The negatives are real published texts (realtext/shared16, sources.tsv);
the mixed documents test the paragraph mechanism.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor.cli import app
from extractor.ingest.document import Document
from extractor.mentions.reader import Extractor

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "realtext" / "shared16" / "docs"

CALCIPHYLAXIS = (
    "Sodium thiosulfate for calciphylaxis\n\n"
    "A 62-year-old woman on hemodialysis developed calciphylaxis of both thighs. "
    "She received intravenous sodium thiosulfate 25 g after each dialysis session, and the ulcers healed.\n\n"
)
CYANIDE = (
    "Sodium thiosulfate is also the antidote for cyanide poisoning: the adult dose is 12.5 g "
    "given intravenously over 10 minutes, with sodium nitrite.\n\n"
)


def read_rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def all_indications() -> Extractor:
    return Extractor(all_indications=True)


@pytest.mark.parametrize("doc_id", ["p03", "p08"])
def test_real_negative_papers_give_no_rows(extractor, doc_id):
    """Cisplatin otoprotection (p03) and cyanide dosing (p08) state routes and doses of STS."""
    text = (REAL / f"{doc_id}.txt").read_text(encoding="utf-8")
    reading = extractor.read(Document(doc_id, text))
    assert reading.mentions == []
    assert reading.indication.kind == "other"
    assert reading.indication.sentence


def test_calcinosis_without_sts_is_no_sts(extractor):
    text = (REAL / "p13.txt").read_text(encoding="utf-8")
    reading = extractor.read(Document("p13", text))
    assert (reading.mentions, reading.indication.kind) == ([], "no_sts")


def test_other_use_paragraph_of_a_calciphylaxis_paper_is_dropped(extractor):
    text = CALCIPHYLAXIS + CYANIDE
    mentions = extractor.extract(Document("mixed", text))
    cyanide_start = text.index("Sodium thiosulfate is also")
    assert {m.text for m in mentions if m.field == "dose"} == {"25 g"}
    assert all(m.start < cyanide_start for m in mentions)
    assert any(m.field == "outcome" and m.text == "healed" for m in mentions)


def test_all_indications_keeps_other_rows_marked(all_indications):
    text = CALCIPHYLAXIS + CYANIDE
    mentions = all_indications.extract(Document("mixed", text))
    marked = {(m.text, m.indication) for m in mentions if m.field == "dose"}
    assert marked == {("25 g", "calcification"), ("12.5 g", "other")}


def test_vascular_calcification_in_a_calciphylaxis_paper_keeps_its_paragraph(extractor):
    text = (
        "Calciphylaxis treated with sodium thiosulfate\n\n"
        "Radiographs showed extensive vascular calcification. "
        "Intravenous sodium thiosulfate 25 g three times weekly was started.\n"
    )
    mentions = extractor.extract(Document("vc", text))
    assert {m.text for m in mentions if m.field == "dose"} == {"25 g"}


def test_documents_csv_says_why(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for doc_id in ("p01", "p03", "p13"):
        shutil.copy(REAL / f"{doc_id}.txt", folder)
    out = tmp_path / "x.csv"
    result = CliRunner().invoke(app, ["extract", str(folder), "--out", str(out), "--jobs", "1", "--fresh"])
    assert result.exit_code == 0, result.output
    assert "3 documents (1 ok, 0 failed, 0 reused, 2 out of scope)" in result.stderr
    documents = {row["doc_id"]: row for row in read_rows(tmp_path / "x.documents.csv")}
    assert [documents[d]["indication"] for d in ("p01", "p03", "p13")] == ["calcification", "other", "no_sts"]
    assert [documents[d]["status"] for d in ("p01", "p03", "p13")] == ["ok", "out_of_scope", "out_of_scope"]
    assert "cisplatin" in documents["p03"]["sentence"].lower()
    rows = read_rows(out)
    assert {row["doc_id"] for row in rows} == {"p01"}
    assert int(documents["p01"]["mentions"]) == len(rows) and int(documents["p01"]["words"]) > 100
    assert {row["indication"] for row in rows} == {"calcification"}


def test_title_naming_another_use_decides_despite_a_passing_calciphylaxis_mention(extractor):
    """r16 (realtext/dev): a coronary-calcification trial of STS whose background
    mentions calciphylaxis once; its title says what it is about."""
    text = (ROOT / "realtext" / "dev" / "docs" / "r16.txt").read_text(encoding="utf-8")
    reading = extractor.read(Document("r16", text))
    assert (reading.indication.kind, reading.mentions) == ("other", [])
    assert "coronary artery calcification" in reading.indication.sentence


BLIND = ROOT / "realtext" / "blind" / "docs"


@pytest.mark.skipif(not (BLIND / "g8_19.txt").is_file(), reason="realtext/blind not present")
def test_a_page_that_never_names_a_calcification_is_not_about_one(extractor):
    """realtext/blind g8_19: a homemade aquarium dechlorinator (a 10% stock, 29 g in 2 liters) names STS and
    no use of it for any disease: no rows, and the documents table says other with an STS sentence."""
    document = Document(doc_id="g8_19", text=(BLIND / "g8_19.txt").read_text(encoding="utf-8"))
    reading = extractor.read(document)
    assert reading.mentions == []
    assert reading.indication.kind == "other"
    assert "Sodium Thiosulphate" in reading.indication.sentence


def test_a_monographs_use_headings_own_the_dosing_under_them(extractor):
    """realtext/blind g8_07 (a drug monograph): the dosing under "Cyanide Poisoning", "Cisplatin
    Extravasation" and the 1/6 molar preparation is theirs; only the calciphylaxis line is in scope."""
    text = (
        "Sodium thiosulfate\n"
        "Dosing & Uses\n"
        "Cyanide Poisoning\n"
        "12.5 g IV (infuse over 10-20 minutes)\n"
        "Cisplatin Extravasation\n"
        "2 mL 1/6 molar solution through IV cannula for every 100 mg cisplatin; remove needle, then inject 0.1 mL "
        "injections clockwise around extravasation area up to 1 mL\n"
        "Preparation of 1/6 Molar Solution\n"
        "4 mL of 10% solution + 6 mL sterile water for injection\n"
        "1.6 mL of 25% solution + 8.4 mL sterile water for injection\n"
        "Orphan Designations\n"
        "Calciphylaxis: 25 g IV 3 times per week following dialysis for 6 weeks to 9 months; other protocols exist\n"
        "Mechlorethamine extravasation: 2 mL 10% solution through IV cannula for every 2 mg mechlorethamine "
        "extravasated; remove needle, then inject 10 mL of 1/6 molar solution SC\n"
    )
    mentions = extractor.read(Document(doc_id="g8_07", text=text)).mentions
    found = {(m.field, m.text) for m in mentions if m.field in ("route", "dose", "concentration")}
    assert found == {("dose", "25 g"), ("route", "IV")}
    assert all(text.index("Calciphylaxis:") < m.start < text.index("Mechlorethamine") for m in mentions)


def test_calcific_tendinitis_is_a_soft_tissue_calcification(extractor):
    """realtext/sealed t06: STS lavage for calcific tendinitis of the rotator cuff is in scope, even in a
    text that never says "calcification"."""
    text = (
        "Summary:BackgroundCalcific tendinitis of the rotator cuff is a major cause of omalgia.\n"
        "ObjectivesTo assess the efficacy and safety of UGPL with STS versus with saline solution (standard of "
        "care - SOC) in calcific tendinitis.\n"
    )
    assert extractor.read(Document(doc_id="t06", text=text)).indication.kind == "calcification"


def test_the_title_after_a_journal_header_and_the_papers_own_aim_decide(extractor):
    """realtext/last g10_06 (heart disease in rats: the title comes after journal lines) and g9_09 (stones:
    the aim names them), both with a passing mention of calciphylaxis in the background."""
    cardiac = (
        "ORIGINAL RESEARCH article\n\nFront. Pharmacol., 15 April 2021\n\n"
        "Cardiac Protection by Oral Sodium Thiosulfate in a Rat Model of L-NNA-Induced Heart Disease\n\n"
        "STS is used clinically for calciphylaxis. We observed that STS, orally administered via the drinking "
        "water, ameliorated L-NNA-induced damage.\n"
    )
    stones = (
        "Abstract\n\nRecently, STS has also been used in the treatment of calciphylaxis. We proposed a rat model "
        "to evaluate whether STS has any possible beneficial effect on calcium nephrolithiasis or "
        "nephrocalcinosis. Group 2 received daily intraperitoneal injections of STS solution.\n"
    )
    for doc_id, text in (("g10_06", cardiac), ("g9_09", stones)):
        reading = extractor.read(Document(doc_id=doc_id, text=text))
        assert reading.indication.kind == "other", doc_id
        assert reading.mentions == []


def test_a_mixed_monographs_product_listing_is_no_calcification_dosing(extractor):
    """realtext/last g10_03: the strengths under "Dosage Forms" describe the product for every use; the
    calciphylaxis paragraph's results still count."""
    text = (
        "Sodium thiosulfate\n\nDosage Forms\n\n"
        "Solution, Intravenous:\n\nGeneric: 10% [100 mg/mL] (10 mL [DSC]); 25% [250 mg/mL] (50 mL)\n\n"
        "Pharmacologic Category\n\n  • Antidote\n\n"
        "Cyanide toxicity: Serves as a sulfur donor in rhodanese-catalyzed formation of thiocyanate.\n\n"
        "Use of sodium thiosulfate in the treatment of calciphylaxis has been described primarily in case series "
        "and case reports, it demonstrated beneficial effects in most patients.\n"
    )
    found = {(m.field, m.text) for m in extractor.read(Document(doc_id="g10_03", text=text)).mentions}
    assert not any(field in ("dose", "concentration") for field, _ in found)
    assert ("outcome", "demonstrated beneficial") in found


def test_calcium_hydroxylapatite_filler_is_a_calcium_deposit_in_soft_tissue(extractor):
    """realtext/envoi g22_13 (Robinson, Dermatol Surg 2018): STS injected to dissolve calcium
    hydroxylapatite filler in skin is in scope (both annotators), though the page never says
    "calcification"; the filler's own injection and volume are not STS's."""
    text = (
        "In Vitro Analysis of the Degradation of Calcium Hydroxylapatite Dermal Filler\n\n"
        "METHODS In a prospective, single-center, proof-of-concept study, 12 cadaveric porcine skin samples "
        "were injected with CaHA (0.4–0.8 mL). Samples were then randomized to intralesional injection of "
        "0.2-mL sodium thiosulfate (STS, 12.5 g/50 mL).\n\n"
        "RESULTS Intralesional STS alone or combined with topical SMB completely dissolved CaHA in the porcine "
        "skin samples.\n"
    )
    reading = extractor.read(Document(doc_id="g22_13", text=text))
    found = {(m.field, m.text) for m in reading.mentions}
    assert reading.indication.kind == "calcification"
    assert {("concentration", "12.5 g/50 mL"), ("outcome", "completely dissolved")} <= found
    assert not {("dose", "0.4–0.8 mL"), ("route", "injected")} & found
