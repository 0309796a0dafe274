"""Reading-order checks on real publisher PDFs (skipped without /work/shared/pdfs).

Each row is a sentence that must come out whole from ``read_pdf`` after
whitespace normalization. Sentences were chosen by comparing this ingest's
text with pdfium's own stream-order text (both engines must agree on the
sentence) and reading them against the pages: sentences crossing column and
page breaks, containing line-end hyphenation (e.g. "tissue-", "compli-cation")
and containing doses ("5 mg/kg (294 mg)", "5 U/h").
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from extractor.ingest.pdf import read_pdf

PDF_DIR = Path("/work/shared/pdfs")

pytestmark = pytest.mark.skipif(not PDF_DIR.is_dir(), reason="real PDFs not available")


@cache
def _text(name: str) -> str:
    path = PDF_DIR / name
    if not path.exists():
        pytest.skip(f"{name} missing")
    return " ".join(read_pdf(path, path.stem, timeout=120).text.split())


SENTENCES = [
    pytest.param(
        "bmc-critcare2015-acth-provisional-1col.pdf",
        "Methods We prospectively included 59 consecutive septic and non-septic patients in the intensive care unit with treatment-insensitive hypotension in whom CIRCI was suspected; patients having received etomidate and chronic corticosteroids were excluded.",
    ),
    pytest.param(
        "bmc-critcare2015-acth-provisional-1col.pdf",
        "The intra- and interassay coefficients of variation were less than 7 and 8%, respectively.",
    ),
    pytest.param(
        "bmc-critcare2015-acth-provisional-1col.pdf",
        "This was performed to investigate the association of ∆ cortisol, time and their first-order interaction to endocrine and clinical variables (in a linear model), taking repeated measurements in the same patients into account (in an exchangeable matrix).",
    ),
    pytest.param(
        "bmc-critcare2015-acth-provisional-1col.pdf",
        "Our study also suggests increasing baseline and decreasing ∆ cortisol with increasing disease severity (APACHE II scores), so that adrenal function may not be well adapted to disease severity thus suggesting insufficiency.",
    ),
    pytest.param(
        "bmc-critcare2015-acth-provisional-1col.pdf",
        "An ACTH test (250 mcg) was performed, followed by a second test after ≥7 days in acute phase survivors.",
    ),
    pytest.param(
        "bmc-critcare2015-acth-provisional-1col.pdf",
        "Samples for ACTH were immediately put on ice and ACTH was determined with an immunometric assay and CBG with radioimmunoassay (Immulite 2500; Siemens Medical Diagnostic Solutions, Deerfield, IL, USA; n ACTH 2-26 pmol/L and BioSource, Nivelles, Belgium; n 30-54 mg/L, respectively).",
    ),
    pytest.param(
        "hindawi-crendo2016-ipilimumab-graves.pdf", "Ipilimumab was started at a dose of 3 mg/kg every three weeks."
    ),
    pytest.param(
        "hindawi-crendo2016-ipilimumab-graves.pdf",
        "Ipilimumab was held, and the patient was started on methimazole at a dose of 30 mg/day with titration to control the thyroid hormone levels (Table 1).",
    ),
    pytest.param(
        "hindawi-crendo2016-ipilimumab-graves.pdf", "The highest dose of methimazole used was a total of 35 mg a day."
    ),
    pytest.param(
        "hindawi-crtransplant2016-cmv-cidofovir.pdf",
        "Intravenous ganciclovir prophylaxis was delayed until day 12 due to acute postoperative renal failure and was accompanied by five doses of CMVIG (10 g).",
    ),
    pytest.param(
        "hindawi-crtransplant2016-cmv-cidofovir.pdf",
        "Two 20 mg doses of basiliximab (Simulect, Novartis Pharma AG, Basel, Switzerland) were given on days 0 and 4 after transplant.",
    ),
    pytest.param(
        "hindawi-crtransplant2016-cmv-cidofovir.pdf",
        "Five doses of CMVIG (10 g; Cytotect, Biotest AG, Dreieich, Germany) were also administered, on 1 June, 10 June, 18 June, 16 July, and 3 August.",
    ),
    pytest.param(
        "hindawi-crtransplant2016-cmv-cidofovir.pdf",
        "Foster City, CA, USA) was started empirically at a dose of 5 mg/kg (294 mg), repeated on 28 August.",
    ),
    pytest.param(
        "hindawi-crurology2016-polyarteritis-nodosa.pdf",
        "He was given intravenous methyl prednisolone 60 mg/day and intravenous pulse methyl prednisolone (1 day) followed by intravenous cyclophosphamide.",
    ),
    pytest.param(
        "hindawi-jdiabres2016-insulin-dose-study.pdf",
        "L) on the first day of admission and received insulin infusion intravenously (5 U/per hour).",
    ),
    pytest.param(
        "hindawi-jdiabres2016-insulin-dose-study.pdf",
        "When the blood glucose level dropped to around 10 mmol/L, patients were then transferred to continuous subcutaneous insulin infusion (CSII).",
    ),
    pytest.param(
        "hindawi-jdiabres2016-insulin-dose-study.pdf",
        "They were given intravenous insulin infusion at the initial rate of 5 U/h (25 U insulin/250 mL saline).",
    ),
    pytest.param(
        "hindawi-jdiabres2016-insulin-dose-study.pdf",
        "The intravenous insulin infusion was stopped when the capillary glucose levels were dropped to around 10 mmol/L.",
    ),
    pytest.param(
        "portland-clinsci2014-ace-inhibitors.pdf",
        "CS20130403 SUPPLEMENTARY ONLINE DATA Fragment-based design for the development of N-domain-selective angiotensin-1-converting enzyme inhibitors Ross G.",
    ),
    pytest.param(
        "portland-clinsci2014-ace-inhibitors.pdf",
        "The residue was treated with diethyl ether (20 ml), filtered through celite and concentrated.",
    ),
    pytest.param(
        "portland-clinsci2014-ace-inhibitors.pdf",
        "The solvent was removed and the residue was diluted with H2O (10 ml) and acidified with 5 % aqueous HCl in an ice-water bath to pH 2.",
    ),
    pytest.param(
        "portland-clinsci2014-ace-inhibitors.pdf",
        "The combined organic layer was washed with H2O (10 ml), brine (10 ml), dried over MgSO4 and concentrated.",
    ),
    pytest.param(
        "bmc-cancer2016-t2dm-adenoma-meta.pdf",
        "Methods: To find studies, we searched PubMed, Embase, the Cochrane Library, Web of Science and conference abstracts and related publications for American Society of Clinical Oncology and the European Society of Medical Oncology.",
    ),
    pytest.param(
        "bmc-cancer2016-t2dm-adenoma-meta.pdf",
        "Statistical analysis We examined the relationship between T2DM and CRA risk on the basis of the adjusted RRs and ORs and corresponding 95 % CI published in each study.",
    ),
    pytest.param(
        "bmc-cancer2016-t2dm-adenoma-meta.pdf",
        "For example, a case–control study reported that higher red meat intake could significantly increase the risk of colon adenoma [51].",
    ),
    pytest.param(
        "bmc-cancer2016-t2dm-adenoma-meta.pdf",
        "Furthermore, we could not determine whether using insulin as a therapy for T2DM is an important factor because CRA risk might be altered by hyperinsulinemia, thought to be an important promoter of carcinogenesis [62, 63].",
    ),
    pytest.param(
        "bmc-critcare2015-acth-provisional-1col.pdf",
        "We studied the adrenal response to exogenous ACTH as a function of the endogenous cortisol to ACTH ratio, a measure of adrenal sensitivity, and of clinical variables, during critical illness and recovery from the acute phase.",
    ),
    pytest.param(
        "bmc-critcare2015-acth-provisional-1col.pdf",
        "Serum free cortisol levels were measured by equilibrium dialysis of undiluted serum samples (n = 49 available) followed by radioimmunoassay (Orion Diagnostica, Espoo, Finland; <6% cross reactivity with cortisone).",
    ),
    pytest.param(
        "bmc-critcare2015-acth-provisional-1col.pdf",
        "The aPTT was higher in the first test and the platelets in the second test in low vs normal responders (interaction between ∆ cortisol and time).",
    ),
    pytest.param(
        "bmc-critcare2015-acth-provisional-1col.pdf",
        "This favors the idea that a low ∆ cortisol in time is of clinical significance, rather than reflecting poor reproducibility of the ACTH test.",
    ),
    pytest.param(
        "degruyter-openmed2016-tripterygium-meta.pdf",
        "Methods Through searching the PubMed and CNKI databases, the open published clinically controlled trials related to efficacy and safety of tripterygium glycosides in the treatment of stage IV diabetic nephropathy were collected.",
    ),
    pytest.param(
        "degruyter-openmed2016-tripterygium-meta.pdf",
        "However, because a small number of cases were included in each study, the statistical power was limited.",
    ),
    pytest.param(
        "degruyter-openmed2016-tripterygium-meta.pdf",
        "The pathogenesis of diabetic nephropathy includes many factors such as hemodynamics, inflammation, oxidative stress, and immune reactions [20-22].",
    ),
    pytest.param(
        "degruyter-openmed2016-tripterygium-meta.pdf",
        "Thus, the present evidence indicates that tripterygium glycosides combined with ARB/ACEI can improve clinical efficacy, reduce the 24h urinary protein, and serum creatinine as compared with ARB/ACEI treatment only.",
    ),
    pytest.param(
        "hindawi-crendo2016-ipilimumab-graves.pdf",
        "After receiving two of four planned cycles of therapy, he developed clinical and biochemical hyperthyroidism (Table 1).",
    ),
    pytest.param(
        "hindawi-crendo2016-ipilimumab-graves.pdf",
        "Ipilimumab has been associated with the development of new autoimmune endocrinopathies, likely related directly to its mechanism of action.",
    ),
    pytest.param(
        "hindawi-crendo2016-ipilimumab-graves.pdf",
        "Management of patients with Graves’s disease in patients being treated with ipilimumab is not well described.",
    ),
    pytest.param(
        "hindawi-crmed2016-erythema-ab-igne.pdf",
        "Erythema ab igne can resemble numerous skin conditions including livedo reticularis, livedo racemosa, cutis marmorata, and cutis marmorata telangiectasia [1].",
    ),
    pytest.param(
        "hindawi-crmed2016-erythema-ab-igne.pdf",
        "A punch biopsy of skin was performed (Figure 2), and histopathologic findings were supportive of erythema ab igne.",
    ),
    pytest.param(
        "hindawi-crmed2016-erythema-ab-igne.pdf",
        "Late, well-established lesions can demonstrate increased elastin fibers, which may require special stains to identify [3].",
    ),
    pytest.param(
        "hindawi-crtransplant2016-cmv-cidofovir.pdf",
        "Thus, there are cases in which nonstandard treatment strategies must be considered if progression of potentially fatal CMV-related disease is to be prevented [12].",
    ),
    pytest.param(
        "hindawi-crtransplant2016-cmv-cidofovir.pdf",
        "On 10 June, the patient was still negative for CMV-DNA and pp65, and he had no CMV-specific T-cells, which were assessed directly from whole blood after a 6-hour stimulation with a CMV lysate along with negative and positive control stimulations.",
    ),
    pytest.param(
        "hindawi-crtransplant2016-cmv-cidofovir.pdf",
        "The patient did not develop any CMV-specific T-cells during several months of CMV infection, although general T-cell function determined after polyclonal stimulation was readily detectable (data not shown).",
    ),
    pytest.param(
        "hindawi-crurology2016-polyarteritis-nodosa.pdf",
        "Case Report A 24-year-old man was referred to emergency service because of nontraumatic excruciating abdominal pain.",
    ),
    pytest.param(
        "hindawi-crurology2016-polyarteritis-nodosa.pdf",
        "When the patient became hemodynamically stable, a selective renal arteriogram was performed (Figure 2) which demonstrated multiple small aneurysms in the segmental and interlobar arteries of both kidneys but extravasation was not noted.",
    ),
    pytest.param(
        "hindawi-crurology2016-polyarteritis-nodosa.pdf",
        "Other causes of WS include arteriovenous malformations, venous thrombosis, cystic renal diseases, renal calculi, nephritis, and coagulation disorders.",
    ),
    pytest.param(
        "hindawi-jdiabres2016-insulin-dose-study.pdf",
        "Optimal insulin pump therapy is determined by accurate setting of total daily insulin dose (TDD), basal and bolus insulin dose [7].",
    ),
    pytest.param(
        "hindawi-jdiabres2016-insulin-dose-study.pdf",
        "In 72 hours, the basal insulin rate and the bolus insulin dose were adjusted according to the capillary blood glucose levels.",
    ),
    pytest.param(
        "hindawi-jdiabres2016-insulin-dose-study.pdf",
        "It may provide the direction that we could easily calculate the insulin dose in the future clinical work.",
    ),
    pytest.param(
        "mdpi-metabolites2014-wheat-volatiles-1col.pdf",
        "The production of volatile metabolites was monitored for seven days, and the time course analysis of key volatiles was determined.",
    ),
    pytest.param(
        "mdpi-metabolites2014-wheat-volatiles-1col.pdf",
        "The t[1] direction of PCA highlighted a linear growth from negative to positive values, with the exception of one sample (CT2, symbol ◊).",
    ),
    pytest.param(
        "mdpi-metabolites2014-wheat-volatiles-1col.pdf",
        "On the other hand, 3-methyl butanol and a number of methyl ketones have previously been associated with other food spoilage fungi [35–37].",
    ),
    pytest.param(
        "mdpi-metabolites2014-wheat-volatiles-1col.pdf",
        "For each sample, chromatographic peak data were normalized to the total sum of peak areas, in order to make variables comparable to each other.",
    ),
    pytest.param(
        "portland-clinsci2014-ace-inhibitors.pdf",
        "These scaffolds were selected on the basis of enhanced predicted interaction energies with N-domain residues that differed from their C-domain counterparts.",
    ),
    pytest.param(
        "portland-clinsci2014-ace-inhibitors.pdf",
        "X-ray diffraction data for the N-domain ACE–33RE complex were collected on the PX station IO4-1 at Diamond Light Source (Didcot).",
    ),
    pytest.param(
        "portland-clinsci2014-ace-inhibitors.pdf",
        "Given the importance of these two residues in conferring selectivity for both 33RE and parent molecule RXP407, the kinetic results suggest that the actual interaction energies for the two inhibitors with these residues is critical [35].",
    ),
    pytest.param(
        "portland-clinsci2014-ace-inhibitors.pdf",
        "The importance of the P2 subsite for selectivity was further emphasized by the additive effect observed in YR/FE constituting a 250-fold decrease in 33RE-binding affinity compared with wild-type, similar to that seen previously for RXP407 [35].",
    ),
    # line-end hyphenation: "Tissue-" / "invasive" is a real compound, kept
    pytest.param(
        "hindawi-crtransplant2016-cmv-cidofovir.pdf",
        "Tissue-invasive CMV disease can affect various organ systems to cause severe and frequently fatal symptoms",
    ),
    # "compli-" / "cation" at a line end is joined
    pytest.param(
        "hindawi-crtransplant2016-cmv-cidofovir.pdf",
        "but in lung transplant recipients pneumonitis is the most feared complication.",
    ),
    # column break (left column bottom → right column top) with a hyphenated word
    pytest.param(
        "hindawi-crtransplant2016-cmv-cidofovir.pdf",
        "is not achieved in all patients [5–7], necessitating additional or alternative interventions to avoid or manage tissue-invasive CMV disease.",
    ),
    # page break 1 → 2 past the running header
    pytest.param(
        "hindawi-crtransplant2016-cmv-cidofovir.pdf",
        "CMV immunoglobulin (CMVIG) preparations are licensed for the prophylaxis of CMV infection and disease and are used by approximately a third of lung transplant centers for prophylaxis",
    ),
]


@pytest.mark.parametrize(("name", "sentence"), SENTENCES)
def test_sentence_whole(name: str, sentence: str) -> None:
    assert " ".join(sentence.split()) in _text(name)


def test_running_header_removed() -> None:
    text = _text("hindawi-crtransplant2016-cmv-cidofovir.pdf")
    assert "2 Case Reports in Transplantation" not in text


@pytest.mark.parametrize(
    ("name", "words"),
    [
        # a ring set as its own glyph over "A": one "Å", and the justified line is not cut into cells
        (
            "portland-clinsci2014-ace-inhibitors.pdf",
            "The co-crystal structure of N-domain ACE was solved at 2.2 Å in complex with compound 33RE (Figure 5).",
        ),
        (
            "portland-clinsci2014-ace-inhibitors.pdf",
            "the cut-off parameter was set to 1.5 Å; and ligand filtering (LF) was set to one.",
        ),
        ("hindawi-crtransplant2016-cmv-cidofovir.pdf", "[5] A. Åsberg, A. Humar"),
        ("hindawi-crendo2016-ipilimumab-graves.pdf", "E. McElnea, Á. N"),
        ("hindawi-jdiabres2016-insulin-dose-study.pdf", "were drug-naïve with random hyperglycaemia"),
    ],
)
def test_accent_glyph_joins_its_letter(name: str, words: str) -> None:
    text = _text(name)
    assert words in text
    assert "˚" not in text and "¨" not in text
