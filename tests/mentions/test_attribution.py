"""Source attribution: this_study vs cited, from markers, cues, sections and context."""

from __future__ import annotations

import pytest


def _source(mentions, text):
    return next(m.source for m in mentions if m.text == text)


@pytest.mark.parametrize(
    "sentence,mention,source",
    [
        (
            "Intralesional sodium thiosulfate has been successfully used in the treatment of CC associated with ACTD.<sup>3–5</sup>",
            "Intralesional",
            "cited",
        ),
        (
            "However, in one report, three patients treated with intravenous sodium thiosulfate had no improvement.⁶",
            "intravenous",
            "cited",
        ),
        ("Topical STS 10% has been reported to reduce lesion size in children [2,3].", "10%", "cited"),
        ("In a study by Smith et al., IV STS 25 g three times weekly led to complete resolution.", "25 g", "cited"),
        ("Intravenous sodium thiosulfate has been widely used for calciphylaxis.2", "Intravenous", "cited"),
        ("We used 12.5 g over 30 minutes 3 times weekly.", "12.5 g", "this_study"),
        ("Here we examine 80 lesions treated with topical, intradermal, and intravenous STS.", "topical", "this_study"),
        ("Our patient received intralesional sodium thiosulfate 250 mg/mL.", "250 mg/mL", "this_study"),
        # the paper's own review, though "a retrospective case" would open a cited study (realtext/shared16 p02)
        (
            "We provide a retrospective case review of 4 patients with calciphylaxis who were treated with IL sodium "
            "thiosulfate.",
            "4 patients",
            "this_study",
        ),
        (
            "In a retrospective study, intralesional sodium thiosulfate cleared 8 of 10 lesions.",
            "intralesional",
            "cited",
        ),
        # a systematic review's level-of-evidence tag grades a statement drawn from the studies (realtext/holdout v05)
        ("Intralesional sodium thiosulfate might be a promising alternative (level IV).", "Intralesional", "cited"),
        # a trial registration's own plan (realtext/test u16)
        (
            "The investigators have designed a pilot study to evaluate the use of topical sodium thiosulfate solution "
            "in treating superficial calcinosis in individuals with juvenile and adult dermatomyositis.",
            "topical",
            "this_study",
        ),
    ],
)
def test_sentence_sources(extract_text, sentence, mention, source):
    assert _source(extract_text(sentence), mention) == source


def test_a_retold_case_stays_cited_across_its_sentences(extract_text):
    text = (
        "## DISCUSSION\n\n"
        "One case states that a 67 y/o woman was diagnosed with calcinosis cutis on her fingertip.<sup>2</sup> "
        "The patient was given topical STS 20% that was petrolatum base. "
        "After 3 years, the calcinosis was healed.\n\n"
        "We would like to add our case, in which topical STS relieved pain.\n"
    )
    mentions = extract_text(text)
    assert _source(mentions, "20%") == "cited"
    assert _source(mentions, "healed") == "cited"
    assert [m.source for m in mentions if m.text == "topical"] == ["cited", "this_study"]


def test_background_without_citation_in_the_introduction_is_cited(extract_text):
    text = (
        "## Introduction\n\n"
        "Intravenous sodium thiosulphate is associated with an increased risk of serious side-effects.\n\n"
        "## Methods\n\n"
        "Lesions were injected with intra-lesional sodium thiosulphate.\n"
    )
    mentions = extract_text(text)
    assert _source(mentions, "Intravenous") == "cited"
    assert _source(mentions, "intra-lesional") == "this_study"


def test_clause_with_own_cue_after_a_cited_clause(extract_text):
    text = (
        "Both our patient and a child in a previously reported case who received the same treatment4 had "
        "dermatomyositis, but we suspect IV sodium thiosulfate also may be effective for other diseases."
    )
    assert _source(extract_text(text), "IV") == "this_study"


def test_a_case_report_section_ignores_reporting_cues_without_a_marker(extract_text):
    text = (
        "## Case report\n\n"
        "After a thorough review of prior studies, a mixture of STS with Vaseline in a 1:1 ratio was created.\n"
    )
    assert _source(extract_text(text), "1:1 ratio") == "this_study"


def test_a_structured_abstracts_background_is_told_from_the_literature(extractor):
    """realtext/blind g7_05 (an EAHP congress abstract): the text under "Background and importance", over two
    paragraphs up to "Aim and objectives", is background (cited); the aim and methods are the authors' own."""
    from extractor.ingest.document import Document

    text = (
        "3PC-003 Sodium thiosulphate gel 25% for the treatment of calciphylaxis\n\n"
        "Abstract\n\n"
        "Background and importance Calciphylaxis is a disease characterised by fat necrosis due to hypoperfusion "
        "from calcium accumulation in the arterioles of the skin.\n\n"
        "In the treatment of calciphylaxis, intravenous sodium thiosulphate is usually used due to its chelating of "
        "calcium ions, a vasodilator, and antioxidant. Topical use can be an effective and well-tolerated "
        "alternative, and it also allows early treatment.\n\n"
        "Aim and objectives To develop and validate a magistral formula of topical sodium thiosulfate and establish "
        "quality controls.\n\n"
        "Material and methods A bibliographic search was conducted to find possible topical master formulations of "
        "sodium thiosulfate.\n"
    )
    routes = [(m.text, m.source) for m in extractor.extract(Document("g7_05", text)) if m.field == "route"]
    assert routes == [
        ("intravenous", "cited"),
        ("Topical", "cited"),
        ("topical", "this_study"),
        ("topical", "this_study"),
    ]


@pytest.mark.parametrize(
    "doc_id,text,field,expected",
    [
        # realtext/last g10_19: "Background. ... Case Report. ... Treatment involved intravenous sodium
        # thiosulfate" on one line: the next label ends the background; the treatment is the paper's own
        (
            "g10_19",
            "A Case of Bullous Calciphylaxis Responding to Systemic Sodium Thiosulfate Therapy\n"
            "Abstract\n"
            "Background. Calciphylaxis is a rare and life-threatening condition characterized by cutaneous necrosis. "
            "Case Report. This report details an atypical case of bullous calciphylaxis in a 71-year-old female. "
            "Treatment involved intravenous sodium thiosulfate infusions and wound care, resulting in significant "
            "improvement after 6 months.\n",
            "route",
            [("intravenous", "this_study")],
        ),
        # realtext/last g9_02 (a Karger supplementary-material page): "Background/Aims: ... Methods: ...
        # Results: ..." is one paragraph with no "Abstract" heading; its results are not background
        (
            "g9_02",
            "Vitamin K Antagonists Predispose to Calciphylaxis in Patients with End-Stage Renal Disease\n\n"
            "Background/Aims: Calciphylaxis is associated with a poor prognosis in dialysis patients, and its "
            "pathogenesis remains incompletely understood. Methods: We performed a single-centre, retrospective "
            "cohort study of 2,234 patients receiving dialysis. Results: We identified 5 cases of calciphylaxis (all "
            "female) between January 2009 and December 2013. VKA was withdrawn in all cases and treatment instituted "
            "with sodium thiosulphate, cinacalcet and supportive measures. All patients recovered, although there was "
            "one sudden cerebrovascular death during follow-up.\n",
            "outcome",
            [("recovered", "this_study")],
        ),
        # realtext/test u01 (Kidney Blood Press Res 2013, a doczz transcription; the cut-off "with this"
        # completed): under "Methods:", "In a case series five hemodialysis patients, have been successfully
        # treated" is the paper's own series, though "case series" alone reads as a report of others
        (
            "u01",
            "Multi-Modal Treatment Of Calciphylaxis With Sodium Thiosulfate\n\n"
            "Abstract Background: Calciphylaxis is a rare, yet life-threatening disease mainly occurring in dialysis "
            "patients. Traditional options of treatment remain unsatisfactory. Methods: Here we present a novel, "
            "combined approach, treating calciphylaxis with IV sodium thiosulfate, cinacalcet and sevelamer. In a case "
            "series five hemodialysis patients, have been successfully treated with this regimen.\n",
            "outcome",
            [("been successfully treated", "this_study")],
        ),
    ],
)
def test_structured_abstract_labels_decide_the_source(extractor, doc_id, text, field, expected):
    from extractor.ingest.document import Document

    found = [(m.text, m.source) for m in extractor.extract(Document(doc_id, text)) if m.field == field]
    assert found == expected
