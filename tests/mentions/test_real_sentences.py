"""Wording classes met in real published text (realtext/, sources.tsv there):
each case is a real sentence and the behaviour a reviewer would notice."""

from __future__ import annotations

import textwrap

import pytest

from extractor.schema import CORE_FIELDS

CASES = [
    # a denied relapse is no recurrence (realtext/closing g16_06, a veterinary case)
    (
        "After initiation of therapy, no further progression was noticed; all medications could be discontinued "
        "eventually, and no relapse was seen in the following 2 years.",
        set(),
    ),
    # a route word after a word of harm to avoid is a cause of lesions (realtext/coda g18_09, a calciphylaxis page)
    (
        "Primary prevention strategies for high-risk patients involve improvement of nutritional status (both obesity "
        "and malnourishment increase risk), vitamin D supplementation, routine monitoring of serum calcium and "
        "phosphate, minimizing trauma (such as injections) at high-risk sites (buttocks, thighs, abdomen), and "
        "avoiding hypotension.",
        set(),
    ),
    # a disease's usual sizes, a range to a vague end, measure no lesion (realtext/test u11, a review)
    (
        "The deposits of calcium are firm, irregular, and generally nontender, ranging in diameter from 1 mm to several "
        "centimeters.",
        set(),
    ),
    # reference or footnote numbers glued to words, as scraped superscripts come, and a molar strength
    # (realtext/closing g17_12, a hospital-pharmacy congress abstract)
    (
        "Results It was decided to administer the patient sodium thiosulfate by three different ways: intravenously1 "
        "25 g/1.73 m2 of corporal surface, three times a week during haemodialysis treatment; intralesionally2 1/6 M "
        "concentration monthly dosage; and topical solution3 10% applied to the ulcerous lesions with occlusive "
        "dressing.",
        {
            ("route", "intravenously", "intravenous"),
            ("dose", "25 g/1.73 m2", None),
            ("route", "intralesionally", "intralesional"),
            ("concentration", "1/6 M", None),
            ("route", "topical", "topical"),
        },
    ),
    # a trial's promised benefits are no result (realtext/sealed s07, a trial registry summary)
    (
        "Benefits of taking part in the trial may include a decrease in ulcer wound area of between 20-50% within 24 "
        "weeks and a reduced mortality rate (35%) with sodium thiosulfate.",
        set(),
    ),
    # a diluent's name is no route (realtext/holdout v30, a hospital-pharmacy compounding abstract)
    (
        "The preparation process for the solution of 25% sodium thiosulfate is: Ingredients: Sodium thiosulfate "
        "pentahydrate: 25 g, water for injection (WFI): qs 100 ml.",
        {("concentration", "25%", None)},
    ),
    # another salt's dosage form in a formulary A-Z listing (realtext/fresh2 g14_13, an NHS formulary page)
    (
        "Status: Red Sodium phenylbutyrate injection\nStatus: Red Sodium phenylbutyrate tablets\nStatus: Red Sodium "
        "tetradecyl sulphate injection\n\nHospital use only\n\nStatus: Red Sodium thiosulfate\n\nFor calciphylaxis",
        set(),
    ),
    # results credited to the drug's properties are a claim about how it works (realtext/fresh2 g14_15)
    (
        "Its role as a rather potent antioxidant has uniquely been associated with a prompt decrease in pain and its "
        "slower chelating properties are associated with regression of subcutaneous calcifications.",
        set(),
    ),
    # a list naming STS that failed to halt progression: a result for each, STS included (realtext/fresh g12_01)
    (
        "Corticosteroids, methotrexate, bisphosphonates, intravenous immunoglobulin replacement, rituximab and sodium "
        "thiosulfate failed to halt calcinosis progression in this case.",
        {("outcome", "failed to halt calcinosis progression", "no_response")},
    ),
    # a route after another drug's amount, the drug named by its INN stem (-dronic) (realtext/fresh g12_09)
    (
        "Larger lesions may be improved by high-dose diltiazem (3 mg/kg per day), probenecid (1.5 g/day), IV "
        "bisphosphonates (zoledronic acid 4 mg IV every 3–4 months for a year inhibits calcium apposition onto "
        "hydroxyapatite), topical sodium thiosulfate 25%, or surgical excision.",
        {("route", "topical", "topical"), ("concentration", "25%", None)},
    ),
    # a pronoun subject stands for the other drugs of the sentence before (realtext/fresh g12_03, a health page)
    (
        "Bisphosphonates, such as alendronate or pamidronate, are drugs that inhibit bone resorption and have shown some "
        "promise in decreasing calcification. They are administered orally or intravenously and may reduce calcium "
        "deposits over time. Sodium thiosulfate is applied topically.",
        {("route", "applied topically", "topical")},
    ),
    # a salt leaving the body is pharmacokinetics, not a result (realtext/fresh2 g14_09, a health explainer)
    (
        "Sodium thiosulfate binds calcium to form calcium thiosulfate. This soluble compound can then be cleared from "
        "the body primarily through the dialysis process.",
        set(),
    ),
    # the injection site named after the drug's full name and its abbreviation (realtext/dev r05, a trial listing)
    (
        "There are several case series that have shown the effectiveness of injecting a chemical compound called "
        'sodium thiosulfate (or "STS") into calcinosis lesions.',
        {("route", "injecting", "intralesional"), ("outcome", "shown the effectiveness", "partial_response")},
    ),
    # a range from partial to complete promises a partial response (realtext/last g10_03, Drugs.com monograph)
    (
        "Use of sodium thiosulfate in the treatment of calciphylaxis has been described primarily in case series and "
        "case reports and in a single retrospective review, it demonstrated beneficial effects in most patients, with "
        "partial to complete resolution of skin lesions and reductions in radiotracer activity on bone scans.",
        {
            ("outcome", "demonstrated beneficial", "partial_response"),
            ("outcome", "partial to complete resolution of skin lesions", "partial_response"),
            ("outcome", "reductions", "partial_response"),
        },
    ),
    # a laboratory finding is no patient's result (realtext/last g10_14)
    ("In vitro, compounds had little effect on cell numbers at concentrations of sodium thiosulfate tested.", set()),
    # a healing trend of a wound is a result (realtext/final w07)
    (
        "After he was treated with intravenous sodium thiosulfate (STS), his pain was significantly relieved with a "
        "healing trend of the big wound.",
        {
            ("route", "intravenous", "intravenous"),
            ("outcome", "pain was significantly relieved", "symptom_relief"),
            ("outcome", "healing trend of the big wound", "partial_response"),
        },
    ),
    # a width and a height each with its unit are one size (realtext/shared16 p06)
    (
        "A 51-year-old man with ESRD on peritoneal dialysis presented with a right calf biopsy-proven calciphylaxis "
        "lesion measuring 3.1 cm x 3.9 cm.",
        {("lesion_size", "3.1 cm x 3.9 cm", None)},
    ),
    # a lesion as the injection site is intralesional (realtext/shared16 p09, p12)
    (
        "The DC lesions were injected with sodium thiosulfate 150mg/ml on top or in the upper part of the lesion by the same clinician.",
        {("route", "injected", "intralesional"), ("concentration", "150mg/ml", None)},
    ),
    (
        "As a reminder, two clinical trials continue to evaluate sodium thiosulfate in dermatomyositis but it is administered by "
        "intravenous infusion (in the United States) or by local injection inside the calcifications (France).",
        {("route", "intravenous", "intravenous"), ("route", "injection", "intralesional")},
    ),
    # a route word after the drug name (realtext/dev2 s01), a misspelt antiemetic's dose is not STS's
    (
        "Pre-treat with ondanstron 4mg IV 30 minutes prior to infusion. Give 12.5g sodium thiosulphate IV over the last 30 minutes of dialysis.",
        {("route", "infusion", "intravenous"), ("dose", "12.5g", None), ("route", "IV", "intravenous")},
    ),
    # a participle title carries the result (realtext/shared16 p11)
    (
        "CP-117 Severe calcinosis cutis successfully treated with a topical W/O emulsion of 10% sodium thiosulfate",
        {
            ("outcome", "successfully treated", "partial_response"),
            ("route", "topical", "topical"),
            ("concentration", "10%", None),
        },
    ),
    # the head noun of the object decides symptom relief (realtext/final w10)
    (
        "A novel therapeutic approach combining sodium thiosulfate and iloprost showed remarkable improvement of the "
        "wound-associated pain and healing of the ulcers within 3 months.",
        {
            ("outcome", "remarkable improvement", "symptom_relief"),
            ("outcome", "healing of the ulcers", "complete_response"),
        },
    ),
    # a precaution or a side-effect condition is not how STS was given (realtext/dev2 s01)
    (
        "Sodium thiosulphate 25% is given intravenously. Side effects Hypotension – monitor BP throughout infusion. "
        "Usually only predicted following rapid infusion of large doses and should be self-limited and transient.",
        {("route", "intravenously", "intravenous"), ("concentration", "25%", None)},
    ),
    # a generic prediction is not a result (realtext/dev2 s06)
    (
        "Successful treatment with sodium thiosulfate generally results in improvement of pain and healing of the "
        "lesions within 2–4 weeks.",
        set(),
    ),
    # a drug named as the object of a result does not take the result (realtext/dev r12)
    (
        "We report the successful use of abatacept and sodium thiosulfate in a patient with severe recalcitrant "
        "juvenile dermatomyositis complicated by ulcerative skin disease and progressive calcinosis. This combination "
        "therapy resulted in significant reduction in muscle and skin inflammation, decreased corticosteroid "
        "dependence, and halted the progression of calcinosis.",
        {
            ("outcome", "successful use", "partial_response"),
            ("outcome", "significant reduction", "partial_response"),
            ("outcome", "halted the progression", "partial_response"),
        },
    ),
    # classes met on realtext/sealed after its first contact (sealed s16, s21, s26, s06, s18, s20, s24)
    (
        "A recent systematic review and meta-analysis have shown that intravenous sodium thiosulphate is ineffective "
        "in treating calciphylaxis in people with chronic kidney disease (CKD).",
        {("route", "intravenous", "intravenous"), ("outcome", "ineffective", "no_response")},
    ),
    (
        "Twenty months after beginning the STS treatment course, he experienced dramatic relief of his TC and "
        "calciphylaxis.",
        {("outcome", "dramatic relief", "partial_response")},
    ),
    (
        "The purpose of this research study is to assess the efficacy and safety of Sodium Thiosulfate infusion to "
        "treat calciphylaxis as measured by a decrease in acute calciphylaxis-associated pain.",
        {("route", "infusion", "intravenous")},
    ),
    (
        "Some side effects, such as hypotension, can be dependent on the rate of infusion, and can often be managed "
        "by adjusting the dose or infusion speed.",
        set(),
    ),
    (
        "After failing first and second-line anti-emetics, a levomepromazine infusion enabled adequate tolerance of "
        "sodium thiosulphate treatment.",
        set(),
    ),
    (
        "However, her most burdensome symptom was severe nausea and vomiting, which related to sodium thiosulfate "
        "infusions – one of few recognized treatments for the disease.",
        {("route", "infusions", "intravenous")},
    ),
    (
        "In CALCIPHYX, 66 patients receiving haemodialysis who have an ulcerated calciphylaxis lesion will be "
        "randomized 1:1 to double-blind SNF472 (7 mg/kg intravenously) or placebo three times weekly for 12 weeks.",
        set(),
    ),
    # another drug's failure before STS; a negated difference (realtext/sealed s01, s16)
    (
        "The patient failed to improve on calcitriol and cinacalcet and was started on intravenous STS.",
        {("route", "intravenous", "intravenous")},
    ),
    (
        "The study, which consisted of 12 clinical trials, found no significant difference in skin lesion improvement "
        "between patients who were treated with sodium thiosulphate and those who were not.",
        {("outcome", "improvement", "no_response")},
    ),
    # necessity or purpose states no result (realtext/final w10)
    (
        "Due to its high mortality rate, an early diagnosis and initiation of sodium thiosulfate are crucial to be "
        "beneficial for patient outcomes.",
        set(),
    ),
]


@pytest.mark.parametrize("sentence,expected", CASES)
def test_real_sentence(extract_text, sentence, expected):
    found = {(m.field, m.text, m.category) for m in extract_text(sentence) if m.field in CORE_FIELDS}
    assert found == expected


def test_keyword_line_is_not_a_route(extract_text):
    """realtext/dev2 s05: an index-term list names routes without saying how STS was given."""
    text = (
        "Keywords: calciphic uraemic arteriolopathy, calciphylaxis, haemodialysis, intralesional, sodium thiosulphate\n"
    )
    assert extract_text(text) == []


SESSION2_CASES = [
    # what a disease's treatment options are is background; the authors' own result follows
    # (realtext/closing g17_06, a nephrology case-report abstract)
    (
        "The only therapeutic option is represented by intravenous sodium thiosulfate. Currently, clear guidelines are "
        "lacking. We have had a good therapeutic response with doses of sodium thiosulfate in association with "
        "multidisciplinary management of the patient.",
        {
            ("route", "intravenous", "intravenous", "cited"),
            ("outcome", "good therapeutic response", "partial_response", "this_study"),
        },
    ),
    # lay route wording, a reporting cue for source (realtext/test u16)
    (
        "However, recent reports have shown that a medication called sodium thiosulfate has been effective in treating "
        "individuals with calciphylaxis, and with tumoral calcinosis, when receiving this medication by vein.",
        {("outcome", "been effective", "partial_response", "cited"), ("route", "by vein", "intravenous", "cited")},
    ),
    # a body weight in a dosing table is not a dose; "(ref 2,4)" marks a cited statement; a dose reduction is no result (u03)
    (
        "The dose of sodium thiosulphate is empiric | Dialysis patients |\n| Weight >60kg | The most commonly reported dose is 25 grams at each haemodialysis session (three times weekly) (ref 2,4) |\n"
        "| weight <60kg | A reduction of dose to 12.5g is suggested (ref 2,4) |",
        {("dose", "25 grams", None, "cited"), ("dose", "12.5g", None, "cited")},
    ),
    # the success of the clause belongs to the bisphosphonate, the STS clause reports no result (u11)
    (
        "Intravenous bisphosphonate use has been used with some success for calcinosis secondary to juvenile dermatomyositis, "
        "and intravenous sodium thiosulfate has been described in case reports of SSc as well.",
        {("route", "intravenous", "intravenous", "cited")},
    ),
    # a result in the sentence after a list of other therapies is theirs (u10)
    (
        "In addition to low phosphate diet, medical therapies including phosphate binders, calcitonin, bisphosphonates, "
        "calcium channel blockers, corticosteroids, acetazolamide, probenecid and colchicine, have been used in different "
        "combinations. However, their success is variable.",
        set(),
    ),
    # a list that ends with STS keeps the result in STS's clause (corpus 001)
    (
        "Medications that have been reported to be helpful to varying degrees include diltiazem, colchicine, warfarin, "
        "intralesional corticosteroids, and sodium thiosulfate.",
        {("outcome", "be helpful", "partial_response", "cited")},
    ),
    # the rash of calciphylaxis is its lesion (u08)
    (
        "A 38-year-old woman with alcoholic cirrhosis was admitted with a recurrent lower extremity rash. "
        "The patient was treated with sodium thiosulfate 25 mg intravenously 3 times weekly and serial wound debridement. "
        "She had symptom improvement within 3 weeks and resolution of the rash.",
        {
            ("dose", "25 mg", None, "this_study"),
            ("route", "intravenously", "intravenous", "this_study"),
            ("outcome", "symptom improvement", "symptom_relief", "this_study"),
            ("outcome", "resolution of the rash", "complete_response", "this_study"),
        },
    ),
]


# a heading that names the calcification and nothing about whose study it is (a page that never
# names a calcification is not about one: realtext/blind g8_19)
CALCIFICATION_HEADING = "Calciphylaxis\n\n"


@pytest.mark.parametrize("sentence,expected", SESSION2_CASES)
def test_real_sentence_with_source(extract_text, sentence, expected):
    found = {
        (m.field, m.text, m.category, m.source)
        for m in extract_text(sentence, title=CALCIFICATION_HEADING)
        if m.field in CORE_FIELDS
    }
    assert found == expected


def test_results_told_before_sts_enters_the_story_are_not_its(extract_text):
    """realtext/test u06: a tumoral calcinosis case whose lesion grew before STS is even named."""
    text = (
        "Over the following months, enlargement of the elbow lesion occurred, with worsening pain, reduced mobility "
        "limiting sporting activity. Surgical resection was undertaken, due to marked joint restriction. Other medical "
        "interventions being trialled included acetazolamide, IL1 blockade (Anakinra) and sodium thiosulfate."
    )
    assert [m for m in extract_text(text, title="") if m.field == "outcome"] == []


def test_the_articles_own_citation_line_repeats_no_result(extract_text):
    """realtext/test u18: "How to cite this article:" repeats the title inside a reference."""
    text = (
        "How to cite this article: Karthik S, Bhatt A, Babu T. Sodium thiosulfate dressings facilitate healing of "
        "refractory cutaneous ulcers of calcinosis cutis. J Postgrad Med 2019;65:123-4\n"
    )
    assert extract_text(text) == []


RETOLD = (
    "Six months of daily application in a thick layer of an ointment based on sodium thiosulfate prepared by the "
    "Limoges University Hospital pharmacy led to a reduction in the volume of subcutaneous calcifications in nine out "
    "of 28 patients (32%), or even their disappearance in three of them."
)


def test_a_document_that_never_shows_its_own_study_retells_others(extract_text):
    """realtext/shared16 p12 (a news item): with no first person, no patient narrative and no Methods,
    the results it tells are another study's."""
    sources = {m.source for m in extract_text(RETOLD, title="") if m.field == "outcome"}
    assert sources == {"cited"}


def test_a_patient_narrative_makes_the_results_the_papers_own(extract_text):
    """The same sentence after a case presentation (realtext/shared16 p06) reports the paper's own patients."""
    case = (
        "A 51-year-old man with ESRD on peritoneal dialysis presented with a right calf biopsy-proven calciphylaxis "
        "lesion measuring 3.1 cm x 3.9 cm. "
    )
    sources = {m.source for m in extract_text(case + RETOLD, title="") if m.field == "outcome"}
    assert sources == {"this_study"}


def test_results_published_by_another_team_are_cited(extract_text):
    """realtext/shared16 p12: "According to results published by ..." retells another team's study."""
    text = (
        "A 51-year-old man presented with calcinosis. According to results published by the Limoges University "
        "Hospital, sodium thiosulfate when applied locally succeeds in reducing the calcifications present under the "
        "skin in nearly a third of cases of dermatomyositis in particular."
    )
    found = {(m.field, m.source) for m in extract_text(text, title="") if m.field in CORE_FIELDS}
    assert found == {("route", "cited"), ("outcome", "cited")}


HEDGE_ROUTE_SOURCE_CASES = [
    # "could be effective" is a hedge, not a result (realtext/shared16 p07)
    (
        "In the setting of metabolic or inflammatory diseases, recent data suggest that systemic administration of sodium "
        "thiosulfate (STS) could be effective in the treatment of ectopic calcifications but may also be poorly tolerated.",
        set(),
    ),
    # route words right after a verb of giving are adverbial routes (realtext/dev r14)
    (
        "Though CUA therapy with IP sodium thiosulfate represents an off-label usage of the drug, reports of its successful "
        "use are on the rise. It continues to be successfully administered both IP and IV, and in adult and pediatric populations.",
        {
            ("route", "IP", "intraperitoneal", "cited"),
            ("outcome", "successful use", "partial_response", "cited"),
            ("outcome", "successfully administered", "partial_response", "cited"),
            ("route", "IV", "intravenous", "cited"),
        },
    ),
    # "have been demonstrated" reports what is known (realtext/shared16 p02)
    (
        "Treatment is multifaceted, and improved outcomes have been demonstrated with intravenous sodium thiosulfate; "
        "however, the use of this medication can be limited by its adverse effects.",
        {("outcome", "improved", "partial_response", "cited"), ("route", "intravenous", "intravenous", "cited")},
    ),
    # albumin infusions are not how STS was given (realtext/test u08)
    (
        "A 38-year-old woman was treated with sodium thiosulfate. She had not been receiving albumin infusions or blood "
        "transfusions, and her body mass index (BMI) was 22 kg/m2.",
        set(),
    ),
]


@pytest.mark.parametrize("sentence,expected", HEDGE_ROUTE_SOURCE_CASES)
def test_hedges_adverbial_routes_and_reporting_cues(extract_text, sentence, expected):
    found = {(m.field, m.text, m.category, m.source) for m in extract_text(sentence) if m.field in CORE_FIELDS}
    assert found == expected


def test_a_compounding_recipe_states_no_dose(extract_text):
    """realtext/holdout v23, v30 (hospital-pharmacy abstracts): ingredient amounts, flasks and syringes are not doses."""
    text = (
        "Composition for 100 g: ST 25 g (active ingredient), glycerine 10 g (humectant, cosolvent), pure lanolin 32.5 g "
        "and white filmy petrolatum 32.5 g (vehicles). Finally pack with 50 ml syringe into a sterile glass bottle and label. "
        "Flush into a 100 ml volumetric flask and make up to volume."
    )
    assert [m for m in extract_text(text) if m.field == "dose"] == []


def test_a_falling_lab_value_is_no_result(extract_text):
    """realtext/holdout v17: "the decrease in pH" after STS is a side effect's measure, not a lesion response."""
    text = "The decrease in pH after the initiation of sodium thiosulfate treatment was statistically significant."
    assert [m for m in extract_text(text) if m.field == "outcome"] == []


def test_website_boilerplate_is_out_of_scope(extract_text):
    """realtext/holdout v19: a disclaimer line is not the article ("will remain the property of")."""
    text = (
        "Disclaimer: All third-party content on this website/platform is and will remain the property of their "
        'respective owners and is provided on "as is" basis without any warranties.\n'
    )
    assert extract_text(text) == []


def test_applied_successfully_is_a_result(extract_text):
    """realtext/holdout v02: a verb of giving then "successfully"."""
    text = (
        "Systemic treatments with cinacalcet, sodium thiosulfate or bisphosphonates have been applied successfully in "
        "CP patients, but large placebo-controlled randomized trials are still needed."
    )
    assert {(m.text, m.source) for m in extract_text(text) if m.field == "outcome"} == {
        ("applied successfully", "cited")
    }


def test_a_structured_heading_run_into_its_text_shows_the_own_study(extract_text):
    """realtext/holdout v30: "Purpose To describe ..." is the paper's own aim, so its preparation is this_study."""
    text = (
        "Purpose To describe the method of preparation and checking of an injectable solution of 25% sodium "
        "thiosulfate for the treatment of intradialytic calciphylaxis in renal patients."
    )
    assert {(m.field, m.source) for m in extract_text(text, title="") if m.field in CORE_FIELDS} == {
        ("route", "this_study"),
        ("concentration", "this_study"),
    }


def test_case_report_subheadings_are_the_papers_own_sections(extract_text):
    """realtext/final w08: after an abstract's "Introduction:", the headings "Clinical Case:" and
    "Treatment and Outcome:" open the case's own text, not more background."""
    text = (
        "Introduction:\nCalciphylaxis is an infrequent disease.\n\nClinical Case:\nA 68-year-old woman on hemodialysis "
        "presented a painful nodular lesion.\n\nTreatment and Outcome:\nTreatment was started with intravenous sodium thiosulfate.\n"
    )
    assert {(m.field, m.source) for m in extract_text(text, title="") if m.field in CORE_FIELDS} == {
        ("route", "this_study")
    }


def test_a_passive_symptom_result_and_a_longer_blood_flow(extract_text):
    """realtext/final w07, w20."""
    text = (
        "After he was treated with intravenous sodium thiosulfate (STS), his pain was significantly relieved. "
        "Skin lesions among patients with calciphylaxis result from reductions in the arteriolar blood flow."
    )
    outcomes = {(m.text, m.category) for m in extract_text(text) if m.field == "outcome"}
    assert outcomes == {("pain was significantly relieved", "symptom_relief")}


def test_the_case_course_ends_a_cited_run(extract_text):
    """realtext/final w01: after a background sentence with a citation, "IV sodium thiosulfate was
    started" tells the paper's own case (Mrs. V), not the cited source's."""
    text = (
        "Heparin-induced necrosis was considered, but Mrs. V’s platelet count came back in the normal range. "
        "Since calciphylaxis has an 80% death rate once ulceration occurs, all known treatments were initiated "
        "simultaneously.2 IV sodium thiosulfate was started (12.5 mg with the first dialysis, then increasing to 25 mg "
        "with each subsequent hemodialysis)."
    )
    found = {(m.field, m.text, m.source) for m in extract_text(text, title="") if m.field in ("route", "dose")}
    assert found == {("route", "IV", "this_study"), ("dose", "12.5 mg", "this_study"), ("dose", "25 mg", "this_study")}


BLIND_CASES = [
    # a route adjective on a generic head ("an oral agent") in a sentence naming other drugs only (realtext/blind g8_09)
    (
        "Usually the treatment of calcinosis cutis is initiated with an oral agent used for its anti-inflammatory or "
        "calcium-binding properties like minocycline, diltiazem or colchicine.",
        set(),
    ),
    # "deteriorated" is a failed result like "worsened" (realtext/blind g7_02)
    (
        "After five to six months the skin defects resolved in the first patient, partially resolved in the second "
        "patient and deteriorated in the third patient.",
        {
            ("outcome", "resolved", "complete_response"),
            ("outcome", "partially resolved", "partial_response"),
            ("outcome", "deteriorated", "no_response"),
        },
    ),
    # a dosage-form noun ("Topical Liquid") carries the route (realtext/blind g7_06)
    (
        "The Sodium Thiosulfate 25% Topical Liquid is a specially compounded preparation intended for external use on "
        "the skin or mucosal surfaces.",
        {("route", "Topical", "topical"), ("concentration", "25%", None)},
    ),
    # necessity or purpose, and a risk, state no result (realtext/blind g7_02, g8_09)
    (
        "The key to successful treatment of calciphylaxis is fast diagnosing of the disease and appropriate treatment "
        "management.",
        set(),
    ),
    ("Surgical excision or debulking carries the risk of poor wound healing and persistent ulceration.", set()),
    # a result after another drug is named in its own clause is that drug's (realtext/blind g8_10)
    (
        "Between January and June 2010, we added sildenafil to treat the patient for digital ulcers, which resolved.",
        set(),
    ),
]


def test_routes_in_a_side_effect_contrast_and_on_a_modified_preparation_noun(extract_text):
    """realtext/blind g7_06, g7_05: a side-effect statement names routes as a contrast; "topical master
    formulations of sodium thiosulfate" is STS's route."""
    contrast = (
        "By applying the solution directly to the skin, patients can achieve localized therapeutic effects, "
        "minimizing the potential for systemic side effects that might occur with oral or parenteral administration."
    )
    assert [m for m in extract_text(contrast) if m.field == "route"] == []
    search = "A bibliographic search was conducted to find possible topical master formulations of sodium thiosulfate."
    assert {(m.field, m.text) for m in extract_text(search) if m.field == "route"} == {("route", "topical")}


def test_a_route_before_two_drugs_joined_by_and_is_sts_route_too(extract_text):
    """realtext/blind g8_09; STS with a route of its own keeps only its own."""
    shared = "Role of intralesional corticosteroids and sodium thiosulfate is limited in extensive deposits."
    assert {(m.text, m.category) for m in extract_text(shared) if m.field == "route"} == {
        ("intralesional", "intralesional")
    }
    own = "She received oral minocycline and intravenous sodium thiosulfate."
    assert {m.text for m in extract_text(own) if m.field == "route"} == {"intravenous"}


LAST_CASES = [
    # a participle title (realtext/last g10_19)
    (
        "Rapidly Progressive Unilateral Non-Nephrogenic Hemorrhagic Bullous Calciphylaxis Responding to Systemic "
        "Sodium Thiosulfate Therapy",
        {("outcome", "Responding", "partial_response")},
    ),
    # "recovered" is a result; "no calciphylaxis improvement" a failed one (realtext/last g9_02, g10_11)
    (
        "Treatment instituted with sodium thiosulphate, cinacalcet and supportive measures. All patients recovered.",
        {("outcome", "recovered", "complete_response")},
    ),
    (
        "During the initial wound treatment with a course of intravenous sodium thiosulfate, our patient's "
        "predialysis serum levels of total calcium markedly increased, yielding no calciphylaxis improvement.",
        {("route", "intravenous", "intravenous"), ("outcome", "no calciphylaxis improvement", "no_response")},
    ),
    # analgesics (-caine, ketamine, cannabis) and surgery own their results (realtext/last g9_03, g9_01)
    (
        "Topical cannabis and low-dose ketamine infusion exhibited notable pain alleviation, resulting in a 33% "
        "decrease in pain intensity and a reduction of 3 points on the pain scale respectively. Liposomal "
        "bupivacaine nerve blocks provided sustained pain relief for 72 hours.",
        set(),
    ),
    (
        "Although the benefits of bariatric surgery in patients with morbid obesity and ESKD likely outweighed the "
        "risks of CUA, careful attention to the multitude of possible triggers in these patients seems warranted.",
        set(),
    ),
    # another use's finding is no lesion result; a result of a multimodal treatment without STS is pooled
    # (realtext/last g10_11, realtext/sealed s15)
    (
        "Repeated plain radiographs in the following two years revealed gradual vascular calcification regression "
        "in her lower extremities. The lesions completely healed after six months of multimodal treatment.",
        set(),
    ),
    (
        "The good outcome for this patient was probably related to the combination of close follow-up along with "
        "a multidisciplinary approach.",
        set(),
    ),
]


@pytest.mark.parametrize("sentence,expected", BLIND_CASES + LAST_CASES)
def test_wording_classes_of_the_blind_and_last_splits(extract_text, sentence, expected):
    assert {(m.field, m.text, m.category) for m in extract_text(sentence) if m.field in CORE_FIELDS} == expected


def test_a_result_word_as_the_subject_of_may_be_is_a_possibility(extract_text):
    """realtext/dev r07: "improvement of the wound site may be a clinically relevant prognostic determinant"
    says what might predict outcomes; no result happened."""
    text = (
        "We herein discuss eight calciphylaxis patients’ responses to STS, the potential predictive factors affecting "
        "outcomes and compare our results with previously published literature. Further, improvement of the wound "
        "site may be a clinically relevant prognostic determinant."
    )
    assert [m.text for m in extract_text(text) if m.field == "outcome"] == []


def test_own_lesion_sizes_need_sts_in_the_papers_own_story(extractor):
    """realtext/sealed t03: STS is named only as a modality of ongoing trials; the child's lesions were not
    treated with it in the text, so their sizes are no rows. Once the paper gives STS to its own patient
    they are."""
    from extractor.ingest.document import Document

    intro = (
        "Extensive Idiopathic Calcinosis in a Child\n\n"
        "Idiopathic calcinosis (IC) is a disorder of unclear etiology characterized by diffuse calcinotic deposits at "
        "various sites of the body. There are few ongoing trials with different therapeutic modalities like sodium "
        "thiosulphate for treatment.[2]\n\n"
    )
    exam = (
        "On examination, large calcinotic lesions were present around bilateral elbows, knees, abdomen, neck, axilla, "
        "and back ranging from 1 × 1 cm to 5 × 5 cm in size [Figure 1]."
    )

    def sizes(text: str) -> list[str]:
        return [m.text for m in extractor.extract(Document("t03", text)) if m.field == "lesion_size"]

    assert sizes(intro + exam) == []
    assert sizes(intro + exam + " We started intravenous sodium thiosulphate.") == ["1 × 1 cm", "5 × 5 cm"]


def test_own_results_need_sts_in_the_papers_own_story(extractor):
    """The rule above for results: the t03 introduction with a result sentence written for this test."""
    from extractor.ingest.document import Document

    intro = (
        "Extensive Idiopathic Calcinosis in a Child\n\n"
        "There are few ongoing trials with different therapeutic modalities like sodium thiosulphate for "
        "treatment.[2]\n\n"
    )
    result = "After six months the calcinotic lesions had regressed."

    def outcomes(text: str) -> list[str]:
        return [m.text for m in extractor.extract(Document("t03", text)) if m.field == "outcome"]

    assert outcomes(intro + result) == []
    assert outcomes(intro + "We started intravenous sodium thiosulphate. " + result) == ["regressed"]


def test_a_case_narrative_before_sts_enters_it_is_history(extract_text):
    """realtext/final w14 (a Kidney Week trainee case report): the background names STS, then the case
    description tells how the lesions had progressed before any treatment; that is the patient's history (the
    excerpt's cut-off last words completed; the treated continuation is written for this test)."""
    text = (
        "Calciphylaxis is a rare but fatal skin disorder seen in 1-4% of dialysis patients. To date, there is no strong "
        "studies to suggest that sodium thiosulfate (STS), bisphosphonates, or calcimimetics are curative. However, "
        "STS is commonly used despite the lack of strong supporting data.\n\n"
        "Case Description\n\n"
        "We report a case of a 76-year-old Caucasian woman with a history of stage G4/A3 chronic kidney disease, who "
        "presented with severe pain and redness on both legs. The skin lesions had progressed to the painful "
        "ulcerations and eschars on both shins one month after the initial presentation."
    )
    assert [m.text for m in extract_text(text, title="") if m.field == "outcome"] == []
    treated = text + " Intravenous sodium thiosulfate was started. The ulcerations healed within three months."
    assert [m.text for m in extract_text(treated, title="") if m.field == "outcome"] == ["healed"]


def test_a_result_after_a_varying_set_of_therapies_is_pooled(extract_text):
    """realtext/blind g8_18 (Int J Nephrol 2012): six patients were on "various combination therapeutic agents
    comprising sodium thiosulphate, hyperbaric oxygen, ..."; the next sentence's failed healing is pooled over
    them. A regimen every patient got ("treated with IV sodium thiosulfate, cinacalcet and sevelamer") is not
    a varying set."""
    pooled = (
        "Results. Six subjects with CUA (4 females and 2 males) were on various combination therapeutic agents "
        "comprising sodium thiosulphate, hyperbaric oxygen, prednisolone, cinacalcet, and parathyroidectomy in "
        "addition to intensified haemodialysis, specialist local wound care, and antibiotics. The wounds failed to "
        "heal in 3 patients while 5 of the 6 subjects died."
    )
    assert [m.text for m in extract_text(pooled) if m.field == "outcome"] == []
    regimen = (
        "Six subjects with CUA were treated with sodium thiosulphate, cinacalcet and sevelamer. The wounds failed to "
        "heal in 3 patients."
    )
    assert [m.text for m in extract_text(regimen) if m.field == "outcome"] == ["failed to heal"]


def test_a_result_after_sts_named_only_as_a_possibility_is_not_its(extract_text):
    """realtext/holdout v11 (Saudi J Kidney Dis Transpl 2019): the abstract names STS and hyperbaric oxygen only
    as what "may assist in healing", then reports "successful treatment of a case" without naming what treated
    it. When the sentence before states the treatment given, the result is STS's."""
    hedged = (
        "Early diagnosis and correction of vascular and metabolic aberrations may assist in healing as may the use of "
        "sodium thiosulfate and hyperbaric oxygen therapy. We report on successful treatment of a case of "
        "calciphylaxis in a renal transplant recipient with normal allograft function."
    )
    assert [m.text for m in extract_text(hedged) if m.field == "outcome"] == []
    given = (
        "The patient received sodium thiosulfate and hyperbaric oxygen therapy. We report on successful treatment of "
        "a case of calciphylaxis in a renal transplant recipient with normal allograft function."
    )
    assert [m.text for m in extract_text(given) if m.field == "outcome"] == ["successful treatment"]


@pytest.mark.parametrize(
    "sentence,span,value",
    [
        # a rate over a group, before the result (realtext/shared16 p15)
        (
            "Outcomes included 44% of patients experiencing successful wound healing, 6% discontinuing STS due to "
            "adverse effects.",
            "44% of patients experiencing successful wound healing",
            44.0,
        ),
        # a rate of cases in brackets after the result (realtext/shared16 p12, translated news)
        (
            "The others saw their calcinosis remain stable (51% of cases) or increase in volume with sodium "
            "thiosulfate.",
            "remain stable (51% of cases)",
            51.0,
        ),
        # an elliptical rate's last member with its verb (realtext/shared16 p05)
        ("19% had complete, 60% partial and 21% had no response.", "21% had no response", 21.0),
    ],
)
def test_rates_over_groups_widen_the_result(extract_text, sentence, span, value):
    outcomes = {m.text: m.value_max for m in extract_text(sentence) if m.field == "outcome"}
    assert outcomes.get(span) == value


@pytest.mark.parametrize("dash", ["–", "-"])
def test_a_percent_range_before_the_drug_is_one_concentration(extract_text, dash):
    """realtext/shared16 p11 (a hospital-pharmacy congress abstract): "topical 10–25% sodium thiosulfate"."""
    sentence = f"Recently, cases successfully treated with topical 10{dash}25% sodium thiosulfate have been described."
    found = [(m.text, m.value_min, m.value_max, m.unit) for m in extract_text(sentence) if m.field == "concentration"]
    assert found == [(f"10{dash}25%", 10.0, 25.0, "%")]


def test_a_route_mention_is_the_route_word_without_the_drug_name(extract_text):
    """route.subcutaneous needs the word after "subcutaneous" ("subcutaneous tissue" is no route); the
    mention is the route word alone, as the schema asks (the pattern's example sentence)."""
    found = [(m.text, m.category) for m in extract_text("She then received subcutaneous STS injections twice weekly.")]
    assert ("subcutaneous", "subcutaneous") in found and not any(text.endswith("STS") for text, _ in found)


def test_a_result_over_any_treatment_modality_is_pooled(extract_text):
    """realtext/dev2 s04 (UK Calciphylaxis Study abstract; its cut-off last word completed): "no significant
    benefit was shown with any individual treatment modality" after "Sodium thiosulphate and calcimimetic were
    the most widely used management strategies" is a verdict over all treatments, not an STS result."""
    text = (
        "Sodium thiosulphate and calcimimetic were the most widely used management strategies. This UK wide study "
        "strengthens the evidence that calciphylaxis is a strong and independent risk factor associated with all-cause "
        "mortality; no significant benefit was shown with any individual treatment modality."
    )
    assert [m.text for m in extract_text(text) if m.field == "outcome"] == []


def test_a_references_heading_above_running_prose_is_no_reference_list(extractor):
    """realtext/fresh g13_12 (an MDedge "Photo Rounds" quiz page): the site prints "References" between the
    question and the answer; the answer's prose is the article, and "infused intravenously" is one route."""
    from extractor.ingest.document import Document

    text = (
        "Photo Rounds\n\nLeathery plaque on thigh\n\n"
        "A 60-year-old woman was seen in the dialysis unit where she reported a slightly erythematous, tender, firm "
        "lesion on her right thigh that had developed over the previous week.\n\n"
        "What’s your diagnosis?\n\n\n \n\nReferences\n\nLeathery plaque on thigh\n\n"
        "The necrotic eschar on this patient’s thigh is calciphylaxis, also known as calcific uremic arteriolopathy "
        "(CUA). Most cases are seen in ESRD and start as painful erythematous, firm lesions that progress to necrotic "
        "eschars. Up to 4% of patients with ESRD who are on dialysis develop CUA.1\n\n"
        "Morbidity and mortality of CUA is often due to bacterial infections and sepsis related to the necrotic "
        "tissue. CUA can be treated with sodium thiosulfate (25 g in 100 mL of normal saline) infused intravenously "
        "during the last 30 minutes of dialysis treatment 3 times per week.3\n"
    )
    found = {(m.field, m.text) for m in extractor.extract(Document("g13_12", text)) if m.field in ("route", "dose")}
    assert found == {("route", "intravenously"), ("dose", "25 g")}


def test_a_patient_who_did_not_get_sts_gives_no_rows(extractor):
    """realtext/fresh2 g14_14 (a calciphylaxis case report): "Sodium thiosulfate was not available and not given";
    the patient's ulcer sizes, his iron sucrose injections and "The lesions worsened" are not STS's."""
    from extractor.ingest.document import Document

    text = (
        "Calciphylaxis in a haemodialysis patient\n\n"
        "A 55-year old gentleman with diabetic chronic kidney disease on regular haemodialysis for the past three "
        "years, sought advice for painful skin lesions on the left leg. His medications included nifedipine, "
        "clonidine, sodium bicarbonate, periodic erythropoietin and iron sucrose injections. On evaluation, he had a "
        "2×4 cm necrotic ulcer covered with eschar over the left leg. He was treated with intensification of dialysis "
        "against low calcium concentrates, cinacalcet and antibiotics. Sodium thiosulfate was not available and not "
        "given. The lesions worsened despite these measures.\n"
    )
    mentions = extractor.extract(Document("g14_14", text))
    assert [m.text for m in mentions if m.field in ("route", "lesion_size", "outcome")] == []


def test_unavailable_data_far_from_the_drug_do_not_say_it_was_not_given(extractor):
    """A mechanism check (wording made for the test, not real text): "unavailable" at the other end of a
    long sentence speaks of the data, so the patient's own STS route stays."""
    from extractor.ingest.document import Document

    text = (
        "Calciphylaxis in a haemodialysis patient\n\n"
        "We treated our patient with intravenous sodium thiosulfate three times weekly after each dialysis session "
        "for twelve weeks, although the results of the skin biopsy taken at another hospital were unavailable.\n"
    )
    mentions = extractor.extract(Document("t", text))
    assert [(m.field, m.text) for m in mentions if m.field == "route"] == [("route", "intravenous")]


_REGISTRY_PARAGRAPH = (
    "The skin lesions were mostly distributed in the lower extremities (48%). Sodium thiosulphate and calcimimetic "
    "were the most widely used management strategies. The mortality rate was 72 deaths per hundred patient-years "
    "(50 deaths observed in 69.5 patient years). Complete wound healing was noted in 17% and bacteraemia was "
    "reported in 26% of patients."
)


@pytest.mark.parametrize("wrapped", [False, True], ids=["one line", "hard-wrapped at 72 columns"])
def test_results_in_a_paragraph_telling_a_cohorts_treatments_are_pooled(extract_text, wrapped):
    """realtext/dev2 s04 (UK Calciphylaxis Study abstract): "Sodium thiosulphate and calcimimetic were the most
    widely used management strategies. ... Complete wound healing was noted in 17%": a registry's result over
    all its treatments, not an STS result; also when the paragraph is hard-wrapped (as a PDF reader or a mail
    archive gives it), the usage phrase and the result then on different lines of one paragraph."""
    text = textwrap.fill(_REGISTRY_PARAGRAPH, 72) if wrapped else _REGISTRY_PARAGRAPH
    assert [m.text for m in extract_text(text) if m.field == "outcome"] == []


def test_a_mass_in_a_glued_volume_in_brackets_is_a_strength(extract_text):
    """realtext/test u03 (a hospital IV guide): "(12.5g in 50ml)" is the product's strength, 25 %, not two doses."""
    found = [
        (m.field, m.text, m.value_max)
        for m in extract_text("Sodium thiosulphate 25%, 50ml injection (12.5g in 50ml) Already in solution")
        if m.field in ("dose", "concentration") and "12.5" in m.text
    ]
    assert found == [("concentration", "12.5g in 50ml", 25.0)]


def test_the_volume_a_dose_is_diluted_to_is_no_dose(extract_text):
    """realtext/sealed s06 (a trial summary): "diluted with D5W to 900 mL" is the infusion's volume."""
    sentence = (
        "The proposed dose and schedule is intravenous (IV) Sodium Thiosulfate infusion (25 grams Sodium Thiosulfate "
        "as 100 mL Sodium Thiosulfate Injection diluted with D5W to 900 mL) to be administered in the last 60 minutes "
        "of each haemodialysis session for 3 weeks."
    )
    doses = [m.text for m in extract_text(sentence) if m.field == "dose"]
    assert "25 grams" in doses and "900 mL" not in doses
