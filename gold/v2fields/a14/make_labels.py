import json
from pathlib import Path
ROOT = Path('/work/main')
C = {'000':'000_27e00deb6a4870f6','001':'001_99b74193d2bf15ca','002':'002_67d94498cd8a0ba2','003':'003_56dc49ca0c71cad9','004':'004_2aee7e247fadcbf4'}
def path(d):
    return ROOT/'corpus'/f'{d}.txt' if d[0].isdigit() else ROOT/'realtext/shared16/docs'/f'{d}.txt'
L = []
def add(doc, field, text, context, vmin=None, vmax=None, unit=None, cat=None, src='this_study'):
    d = C.get(doc, doc)
    L.append(dict(doc_id=d, field=field, text=text, context=context, value_min=vmin, value_max=vmax, unit=unit, category=cat, source=src))
def F(doc, text, ctx, v=None, v2=None, cat=None, src='this_study'):
    if v is not None and v2 is None: v2 = v
    add(doc, 'frequency', text, ctx, v, v2, 'per_week' if v is not None else None, cat, src)
def D(doc, text, ctx, vmin, vmax, cat='treatment', src='this_study'):
    add(doc, 'duration', text, ctx, vmin, vmax, 'days', cat, src)
def P(doc, text, ctx, n, cat='patients', src='this_study'):
    add(doc, 'patients', text, ctx, n, n, None, cat, src)
def A(doc, text, ctx, cat='adverse_event', src='this_study'):
    add(doc, 'adverse_event', text, ctx, None, None, None, cat, src)
def M(doc, text, ctx, v, src='this_study'):
    add(doc, 'mortality', text, ctx, v, v, '%', None, src)

# ---- 000
P('000', '80 CC lesions', 'Here we examine 80 CC lesions treated with 1 of the 3', 80, 'lesions')
F('000', 'twice daily', '(Beiersdorf AG, Hamburg, Germany) ointment, twice daily until complete', 14)
F('000', 'once every 3 weeks', 'Injections were provided once every 3 weeks until dissolution', 0.333)
P('000', '2 patients', 'Intravenous STS was administered to 2 patients who presented', 2)

# ---- 001 (first copy only)
P('001', 'A 54-year-old woman', 'A 54-year-old woman with a history of well-controlled', 1)
F('001', '3 times weekly', '12.5 g of IV sodium thiosulfate 3 times weekly infused over 30 minutes', 3)
D('001', '8 months', 'The patient completed 8 months of therapy, but the treatment', 240, 240)
F('001', 'once weekly', 'Sodium thiosulfate was restarted once weekly, which again', 1)
P('001', 'a patient', 'extravasation of calcium-containing solutions in a patient with T-cell', 1, src='cited')
F('001', '3 times weekly', 'Intravenous sodium thiosulfate—10 g 3 times weekly for 2 weeks', 3, src='cited')
D('001', '2 weeks', '10 g 3 times weekly for 2 weeks, followed by 15 g twice weekly', 14, 14, src='cited')
F('001', 'twice weekly', 'followed by 15 g twice weekly for the next 3 months', 2, src='cited')
D('001', '3 months', '15 g twice weekly for the next 3 months—was used with abatacept', 90, 90, src='cited')
P('001', 'a patient', 'dystrophic calcinosis cutis in a patient with juvenile dermatomyositis', 1, src='cited')
F('001', '3 times weekly', 'We used 12.5 g over 30 minutes 3 times weekly; however', 3)
A('001', 'nausea', 'with nausea being the only notable side effect', 'adverse_event')

# ---- 002
P('002', 'A 44-year-old woman', 'A 44-year-old woman with dermatomyositis had multiple', 1)
A('002', 'extremely painful', 'it tends to be extremely painful for the patient during administration', src='cited')
P('002', 'a patient', 'This case report discusses a patient with dermatomyositis', 1)
P('002', 'a 44-year-old', 'The patient is a 44-year-old who had been followed', 1)
F('002', 'once a day', 'to the CC lesion on the L breast once a day until her follow-up', 7)
D('002', 'two month', 'intralesional injections of STS of her CC lesions after the two month treatment', 60, 60)
A('002', 'uncomfortable', 'it often leaves many patients uncomfortable', src='cited')
P('002', 'a 67 y/o woman', 'One case states that a 67 y/o woman with limited scleroderma', 1, src='cited')
D('002', '2 months', 'In 2 months of treatment using the topical STS', 60, 60, src='cited')
P('002', 'a 12 y/o patient', 'In another study a 12 y/o patient with familial tumoral', 1, src='cited')
D('002', '6 months', 'applied 1.5 gm of the treatment locally for 6 months and during', 180, 180, src='cited')
P('002', 'three patients', 'In a retrospective study\n\nwith three patients with hyperphosphatemic', 3, src='cited')

# ---- 003
P('003', '28 patients', 'Of 28 patients identified (mean age 57.0 years', 28)
A('003', 'skin irritation', 'two had skin irritation and the third', 'adverse_event')
A('003', 'pain with application', 'experienced pain with application. Overall', 'adverse_event')
P('003', 'three patients', 'However, in one report, three patients with extensive and longstanding CC', 3, src='cited')
P('003', '28 patients', 'In total, 28 patients, diagnosed with CC', 28)
D('003', '1 year', 'the 25% formulation was increased to 50% after 1 year of treatment', 365, 365)
P('003', '28 patients', '**Table 1** Characteristics of 28 patients with underlying', 28)
D('003', '3.9 (0.3–24)', 'at initial follow-up, months*\t3.9 (0.3–24)', 9, 720)
D('003', '$\\leq 1$  month', 'discontinued the medication within  $\\leq 1$  month of treatment initiation', None, 30)
A('003', 'irritation', 'who experienced irritation or pain with TST and subsequently discontinued', 'stopped')
A('003', 'pain with TST', 'who experienced irritation or pain with TST and subsequently discontinued', 'stopped')
P('003', '28 patients', 'In our cohort of 28 patients who used TST for CC', 28)
D('003', '1 month', 'discontinued TST within 1 month of initiation', None, 30)
P('003', '28 patients', '**Table 2** Characteristics of 28 patients with underlying', 28)
F('003', 'Twice daily', 'Frequency of application\t\t\t\t\t\nTwice daily\t1\t14', 14)
F('003', 'Three times daily', '\nThree times daily\t1\t3\t1\t0', 21)
P('003', 'three patients', 'The three patients that were prescribed TST without underlying autoimmune', 3)
P('003', '28 patients', 'connective tissue disease in 28 patients treated with topical', 28)
D('003', '1 year', '(b) after 1 year of applying 25% TST 3 times daily', 365, 365)
F('003', '3 times daily', 'after 1 year of applying 25% TST 3 times daily', 21)
P('003', '28 patients', 'In this case series of 28 patients, the majority', 28)

# ---- 004
P('004', '6 consecutive patients', 'a case series of 6 consecutive patients with calcifications', 6)
P('004', '6 cases', 'Descriptive data for the 6 cases treated with sodium thiosulphate', 6)
F('004', 'Single injection', 'SSc/59\t\t3\tSingle injection\t12.5', cat='once')
F('004', 'every week', 'Knee\t70\tRepeated injection every week for 4 weeks', 1)
D('004', '4 weeks', 'Knee\t70\tRepeated injection every week for 4 weeks', 28, 28)
A('004', 'Infection', '87.5)\tInfection followed injection in week 2', 'adverse_event')
F('004', 'every week', 'Fingertip\t6\tRepeated injection every week for 4 weeks', 1)
D('004', '4 weeks', 'Fingertip\t6\tRepeated injection every week for 4 weeks', 28, 28)
A('004', 'Transient pain associated with injection', '62.5)\tTransient pain associated with injection', 'adverse_event')
F('004', 'every week', 'lower left leg\t80\tRepeated injection every week for 4 weeks', 1)
D('004', '4 weeks', 'lower left leg\t80\tRepeated injection every week for 4 weeks', 28, 28)
F('004', 'Single injection', 'Elbow\t4\tSingle injection\t30', cat='once')
A('004', 'Transient pain associated with injection', '30\tTransient pain associated with injection\t1/75', 'adverse_event')
F('004', 'every week', 'Buttocks\t75\tRepeated injection every week for', 1)
A('004', 'Transient pain associated', '(60-150)\tTransient pain associated\t30/60', 'adverse_event')
D('004', '3 weeks', '85\t3 weeks (both)\t, ,\twith injection', 21, 21)
F('004', 'a single injection', 'were treated with a single injection of sodium thiosulphate', cat='once')
F('004', 'every week', 'treated with repeated injections every week for 4 weeks.', 1)
D('004', '4 weeks', 'treated with repeated injections every week for 4 weeks.', 28, 28)
P('004', '8 lesions', 'A total of 8 lesions on the extremities', 8, 'lesions')
P('004', '6 female patients', 'on the extremities in 6 female patients were treated', 6)
D('004', '4-week', 'for up to a 4-week period, using doses', None, 28)
A('004', 'transient pain related to the injection site', 'Most patients reported transient pain related to the injection site.', 'adverse_event')
A('004', 'cutaneous infection', 'One cutaneous infection in relation to a lesion', 'adverse_event')
D('004', '4 weeks', 'right knee before and after 4 weeks of treatment', 28, 28)
A('004', 'infection', 'but one infection developed in a treated area', 'adverse_event')
F('004', 'weekly', 'after weekly repeated injections for 4 weeks', 1)
D('004', '4 weeks', 'after weekly repeated injections for 4 weeks', 28, 28)

# ---- p01
P('p01', 'a patient', 'We report a patient with diffuse systemic sclerosis', 1)
F('p01', 'monthly', 'Complete resolution was achieved after three monthly sessions', 0.25)
A('p01', 'transient burning sensation during the injections', 'effect was a transient burning sensation during the injections', 'adverse_event')
# ---- p02
P('p02', '4 patients', 'a retrospective case review of 4 patients with calciphylaxis', 4)
P('p02', 'Four patients', 'Four patients with biopsy-proven cutaneous calciphylaxis', 4)
A('p02', 'transient localized discomfort during injection', 'with only transient localized discomfort during injection', 'adverse_event')
# ---- p04
P('p04', 'two cases', 'We report two cases of ulcerative calcinosis cutis which were refractory', 2)
P('p04', 'n=2', 'small sample size (n=2) in this case series', 2)
P('p04', 'two cases', 'We report two cases of refractory calcinosis cutis successfully treated', 2)
# ---- p05
P('p05', 'A 50-year-old male', 'A 50-year-old male with left leg linear scleroderma', 1)
P('p05', '48 patients', 'reporting 48 patients with CC treated with TST', 48, src='cited')
D('p05', '4 months', 'mean duration of treatment was 4 months', 120, 120, src='cited')
A('p05', 'allergic', 'One patient was allergic.', 'adverse_event', src='cited')
# ---- p06
P('p06', 'A 51-year-old man', 'A 51-year-old man with ESRD on peritoneal dialysis', 1)
F('p06', 'bimonthly', 'was treated with bimonthly intralesional injections of STS', 0.5)
# ---- p07
P('p07', 'Three patients', 'Three patients admitted to 3 different hospitals', 3)
A('p07', 'digestive symptoms', 'poorly tolerated (digestive symptoms, metabolic acidosis)', 'adverse_event', src='cited')
A('p07', 'metabolic acidosis', 'poorly tolerated (digestive symptoms, metabolic acidosis)', 'adverse_event', src='cited')
F('p07', 'daily', 'The topical STS was applied daily by the patients.', 7)
D('p07', '5 months', 'after at least 5 months of treatment', 150, None)
# ---- p09
F('p09', 'once a week', 'recruited to treatment once a week for four weeks', 1)
D('p09', 'four weeks', 'treatment once a week for four weeks and follow up', 28, 28)
D('p09', '12-16 weeks', 'follow up after 12-16 weeks', 84, 112, 'follow_up')
P('p09', '38 patients', 'Among 43 patients offered treatment, 38 patients, 33 women', 38)
P('p09', '29 patients', 'consisting of 4 treatments were performed in 29 patients', 29)
# ---- p10
P('p10', 'four patients', 'We treated four patients, two with dermatomyositis', 4)
F('p10', '3 times weekly', 'IV sodium thiosulfate 3 times weekly for 2 weeks', 3)
D('p10', '2 weeks', 'sodium thiosulfate 3 times weekly for 2 weeks, then 15g', 14, 14)
# ---- p11
P('p11', 'a paediatric patient', 'sodium thiosulfate in a paediatric patient with iatrogenic calcinosis', 1)
P('p11', 'Male 6 years old', 'Case Male 6 years old with primary hypothyroidism', 1)
# ---- p12
D('p12', 'Six months', 'Six months of daily application in a thick layer', 180, 180, src='cited')
F('p12', 'daily', 'Six months of daily application in a thick layer', 7, src='cited')
P('p12', '28 patients', 'in nine out of 28 patients (32%)', 28, src='cited')
A('p12', 'local inflammation', 'with the exception of local inflammation in one participant', 'adverse_event', src='cited')
# ---- p14
P('p14', 'A 72-year-old female', 'A 72-year-old female with a history of type 2 diabetes', 1)
F('p14', 'twice weekly', 'intravenous sodium thiosulfate twice weekly for 2 months', 2)
D('p14', '2 months', 'sodium thiosulfate twice weekly for 2 months with complete resolution', 60, 60)
# ---- p15
P('p15', '30 PD patients', 'this review identified 30 PD patients with calciphylaxis who received STS', 30, src='cited')
P('p15', 'n = 18', 'For intravenous (IV) administration (n = 18), STS doses', 18, src='cited')
F('p15', 'twice daily', 'STS doses ranged from 3.2 g twice daily to 25 g three times weekly', 14, src='cited')
F('p15', 'three times weekly', '3.2 g twice daily to 25 g three times weekly for 5 weeks', 3, src='cited')
D('p15', '5 weeks to 8 months', 'three times weekly for 5 weeks to 8 months. Outcomes', 35, 240, src='cited')
A('p15', 'adverse effects', '6% discontinuing STS due to adverse effects', 'stopped', src='cited')
M('p15', '50% dying from calciphylaxis complications', 'and 50% dying from calciphylaxis complications', 50, src='cited')
P('p15', 'n = 5', 'For intraperitoneal (IP) administration (n = 5), STS doses', 5, src='cited')
F('p15', 'three to four times weekly', '12.5 to 25 g three to four times weekly for 12 h to 3 months', 3, 4, src='cited')
D('p15', '12 h to 3 months', 'three to four times weekly for 12 h to 3 months', 0.5, 90, src='cited')
A('p15', 'adverse effects', '80% discontinuing STS due to adverse effects', 'stopped', src='cited')
M('p15', '20% dying from IP STS-related chemical peritonitis', 'and 20% dying from IP STS-related chemical peritonitis', 20, src='cited')
A('p15', 'chemical peritonitis', '20% dying from IP STS-related chemical peritonitis', 'adverse_event', src='cited')
P('p15', 'n = 3', 'switched from IV to IP STS (n = 3), doses', 3, src='cited')
F('p15', 'two to three times weekly', '12.5 to 25 g two to three times weekly for 2.5', 2, 3, src='cited')
# ---- p16
P('p16', '14 patients', 'A study of 14 patients suggests', 14, src='cited')
P('p16', 'a nonuremic patient', 'Success was recently reported in a nonuremic patient treated with intravenous', 1, src='cited')
A('p16', 'chemical peritonitis', 'owing to the risk of chemical peritonitis', 'adverse_event', src='cited')
F('p16', 'after or during hemodialysis', 'varied from 5-75 g after or during hemodialysis in adults', cat='per_dialysis', src='cited')
F('p16', 'after each dialysis', 'dose has been 25 g after each dialysis.', cat='per_dialysis', src='cited')
A('p16', 'nausea with emesis', 'adverse effects have include nausea with emesis and the development', 'adverse_event', src='cited')
A('p16', 'anion gap metabolic acidosis', 'the development of an anion gap metabolic acidosis that can be', 'adverse_event', src='cited')

# checks
bad = 0
for r in L:
    doc = path(r['doc_id']).read_text(encoding='utf-8')
    ctx = r['context']
    n = doc.count(ctx)
    if not (20 <= len(ctx) <= 80): print('ctxlen', len(ctx), r['doc_id'], r['text'])
    if r['text'] not in ctx or n == 0:
        print('MISSING', r['doc_id'], repr(r['text']), repr(ctx)); bad += 1
    elif n > 1:
        print('MULTI', n, r['doc_id'], repr(r['text']))
with open('/work/main/gold/v2fields/a14/labels.jsonl', 'w', encoding='utf-8') as f:
    for r in L: f.write(json.dumps(r, ensure_ascii=False) + '\n')
print(len(L), 'labels; bad', bad)
