"""a13: write labels.jsonl from hand-made labels (contexts checked; for the
verbatim-repeated letter in 001 the context of the FIRST copy is widened until
unique, because every 20-80 char context inside the block occurs 3 times)."""
import json
from pathlib import Path
ROOT = Path('/work/main')
def doc_path(d):
    return ROOT/('corpus' if d[0].isdigit() else 'realtext/shared16/docs')/f'{d}.txt'
D0='000_27e00deb6a4870f6'; D1='001_99b74193d2bf15ca'; D2='002_67d94498cd8a0ba2'
D3='003_56dc49ca0c71cad9'; D4='004_2aee7e247fadcbf4'
T,C='this_study','cited'
def fq(d,t,c,v,s=T,v2=None): return (d,'frequency',t,c,v,v if v2 is None else v2,'per_week',None,s)
def fqc(d,t,c,cat,s=T): return (d,'frequency',t,c,None,None,None,cat,s)
def du(d,t,c,v,cat='treatment',s=T,v2='same'): return (d,'duration',t,c,v,v if v2=='same' else v2,'days',cat,s)
def pa(d,t,c,n,cat='patients',s=T): return (d,'patients',t,c,n,n,None,cat,s)
def ae(d,t,c,cat='adverse_event',s=T): return (d,'adverse_event',t,c,None,None,None,cat,s)
def mo(d,t,c,v,s=T): return (d,'mortality',t,c,v,v,'%',None,s)
L=[
# 000
pa(D0,'80 CC lesions','Here we examine 80 CC lesions treated with 1 of the 3',80,'lesions'),
fq(D0,'twice daily','Eucerin (Beiersdorf AG, Hamburg, Germany) ointment, twice daily until complete',14),
fq(D0,'once every 3 weeks','Injections were provided once every 3 weeks until dissolution',0.3333),
pa(D0,'2 patients','Intravenous STS was administered to 2 patients who presented',2),
# 001 (first copy only)
pa(D1,'A 54-year-old woman','A 54-year-old woman with a history of well-controlled dermatomyositis',1),
fq(D1,'3 times weekly','12.5 g of IV sodium thiosulfate 3 times weekly infused over 30 minutes',3),
du(D1,'8 months','The patient completed 8 months of therapy, but the treatment',240),
ae(D1,'lupuslike flare','the treatment was stopped secondary to suspicion of a lupuslike flare','stopped'),
fq(D1,'once weekly','Sodium thiosulfate was restarted once weekly, which again resulted',1),
pa(D1,'a patient','extravasation of calcium-containing solutions in a patient with T-cell acute',1,s=C),
fq(D1,'3 times weekly','Intravenous sodium thiosulfate—10 g 3 times weekly for 2 weeks',3,s=C),
du(D1,'2 weeks','10 g 3 times weekly for 2 weeks, followed by 15 g',14,s=C),
fq(D1,'twice weekly','followed by 15 g twice weekly for the next 3 months',2,s=C),
du(D1,'3 months','15 g twice weekly for the next 3 months—was used with abatacept',90,s=C),
pa(D1,'a patient','dystrophic calcinosis cutis in a patient with juvenile dermatomyositis.4',1,s=C),
fq(D1,'3 times weekly','We used 12.5 g over 30 minutes 3 times weekly; however',3),
ae(D1,'nausea','with nausea being the only notable side effect'),
pa(D1,'an adult patient','generalized dystrophic calcinosis cutis in an adult patient. Both our patient',1),
pa(D1,'a child','Both our patient and a child in a previously reported case',1,s=C),
# 002
pa(D2,'A 44-year-old woman','A 44-year-old woman with dermatomyositis had multiple painful',1),
ae(D2,'extremely painful','it tends to be extremely painful for the patient during administration',s=C),
pa(D2,'a patient','This case report discusses a patient with dermatomyositis with painful CC',1),
pa(D2,'a 44-year-old','The patient is a 44-year-old who had been followed',1),
fq(D2,'once a day','to the CC lesion on the L breast once a day until her follow-up',7),
du(D2,'two month','intralesional injections of STS of her CC lesions after the two month treatment',60),
ae(D2,'uncomfortable','it often leaves many patients uncomfortable',s=C),
pa(D2,'a 67 y/o woman','One case states that a 67 y/o woman with limited scleroderma',1,s=C),
du(D2,'2 months','In 2 months of treatment using the topical STS',60,s=C),
pa(D2,'a 12 y/o patient','In another study a 12 y/o patient with familial tumoral calcinosis',1,s=C),
du(D2,'6 months','applied 1.5 gm of the treatment locally for 6 months and during',180,s=C),
pa(D2,'three patients','with three patients with hyperphosphatemic familial tumoral',3,s=C),
pa(D2,'three patients','These three patients were each treated with topical STS',3,s=C),
# 003
pa(D3,'28 patients','Of 28 patients identified (mean age 57.0 years',28),
ae(D3,'skin irritation','two had skin irritation and the third'),
ae(D3,'pain with application','who had a zinc allergy, experienced pain with application.'),
pa(D3,'three patients','However, in one report, three patients with extensive and longstanding CC',3,s=C),
pa(D3,'28 patients','In total, 28 patients, diagnosed with CC and an underlying',28),
du(D3,'1 year','the 25% formulation was increased to 50% after 1 year of treatment on the lower',365),
pa(D3,'28 patients','**Table 1** Characteristics of 28 patients with underlying',28),
du(D3,'3.9 (0.3–24)','Duration of treatment at initial follow-up, months*\t3.9 (0.3–24)',9,v2=720),
pa(D3,'28 patients','Of the 28 patients, 27 (96%) were female. Table 3',28),
pa(D3,'28 patients','Table 3 summarizes the prevalence of underlying ACTDs among the 28 patients.',28),
pa(D3,'28 patients','Of the 28 patients, 19 (68%) experienced clinical improvement',28),
ae(D3,'irritation','who experienced irritation or pain with TST and subsequently discontinued','stopped'),
ae(D3,'pain with TST','who experienced irritation or pain with TST and subsequently discontinued','stopped'),
pa(D3,'28 patients','In our cohort of 28 patients who used TST for CC',28),
pa(D3,'28 patients','**Table 2** Characteristics of 28 patients with underlying',28),
pa(D3,'28','Overall <sup>a</sup>\t2\t17\t7\t2\t28 <sup>b</sup>',28),
fq(D3,'Twice daily','Frequency of application\t\t\t\t\t\nTwice daily\t1\t14',14),
fq(D3,'Three times daily','Three times daily\t1\t3\t1\t0\t5 (18)',21),
pa(D3,'three patients','The three patients that were prescribed TST without underlying autoimmune',3),
pa(D3,'28 patients','<sup>b</sup>Of the 28 patients, 27 (96%) were female and 1',28),
pa(D3,'28 patients','connective tissue disease in 28 patients treated with topical sodium thiosulfate',28),
du(D3,'1 year','(b) after 1 year of applying 25% TST 3 times daily',365),
fq(D3,'3 times daily','(b) after 1 year of applying 25% TST 3 times daily',21),
pa(D3,'28 patients','In this case series of 28 patients, the majority (68%)',28),
# 004
pa(D4,'6 consecutive patients','We report here a case series of 6 consecutive patients with calcifications',6),
pa(D4,'6 cases','Table I. Descriptive data for the 6 cases treated with sodium thiosulphate',6),
fqc(D4,'Single injection','SSc/59\t\t3\tSingle injection\t12.5','once'),
fq(D4,'every week','Knee\t70\tRepeated injection every week for 4 weeks',1),
du(D4,'4 weeks','Knee\t70\tRepeated injection every week for 4 weeks',28),
ae(D4,'Infection','57.5 (12.5–87.5)\tInfection followed injection in week 2'),
fq(D4,'every week','Fingertip\t6\tRepeated injection every week for 4 weeks',1),
du(D4,'4 weeks','Fingertip\t6\tRepeated injection every week for 4 weeks',28),
ae(D4,'Transient pain associated with injection','37.5 (25–62.5)\tTransient pain associated with injection',),
fq(D4,'every week','lower left leg\t80\tRepeated injection every week for 4 weeks',1),
du(D4,'4 weeks','lower left leg\t80\tRepeated injection every week for 4 weeks',28),
fqc(D4,'Single injection','Elbow\t4\tSingle injection\t30','once'),
ae(D4,'Transient pain associated with injection','Single injection\t30\tTransient pain associated with injection'),
fq(D4,'every week','Buttocks\t75\tRepeated injection every week for\t',1),
ae(D4,'Transient pain associated','120 (60-150)\tTransient pain associated\t30/60'),
du(D4,'3 weeks','\t\t85\t3 weeks (both)\t, ,\twith injection',21),
fqc(D4,'a single injection','were treated with a single injection of sodium thiosulphate','once'),
fq(D4,'every week','were treated with repeated injections every week for 4 weeks.',1),
du(D4,'4 weeks','were treated with repeated injections every week for 4 weeks.',28),
pa(D4,'8 lesions','A total of 8 lesions on the extremities in 6 female patients',8,'lesions'),
pa(D4,'6 female patients','A total of 8 lesions on the extremities in 6 female patients',6),
du(D4,'4-week','injections of sodium thiosulphate for up to a 4-week period',None,v2=28),
ae(D4,'transient pain related to the injection site','Most patients reported transient pain related to the injection site.'),
ae(D4,'cutaneous infection','One cutaneous infection in relation to a lesion'),
du(D4,'4 weeks','on her right knee before and after 4 weeks of treatment.',28),
ae(D4,'infection','were observed, but one infection developed in a treated area'),
fq(D4,'weekly','Patient before treatment (left) and after weekly repeated injections',1),
du(D4,'4 weeks','after weekly repeated injections for 4 weeks (right).',28),
# p01
pa('p01','a patient','We report a patient with diffuse systemic sclerosis',1),
fq('p01','monthly','Complete resolution was achieved after three monthly sessions.',0.25),
ae('p01','transient burning sensation during the injections','was a transient burning sensation during the injections.'),
# p02
pa('p02','4 patients','a retrospective case review of 4 patients with calciphylaxis',4),
pa('p02','Four patients','Four patients with biopsy-proven cutaneous calciphylaxis',4),
ae('p02','transient localized discomfort during injection','with only transient localized discomfort during injection.'),
# p04
pa('p04','two cases','We report two cases of ulcerative calcinosis cutis',2),
pa('p04','n=2','limited by a small sample size (n=2) in this case series',2),
pa('p04','two cases','We report two cases of refractory calcinosis cutis successfully',2),
# p05
pa('p05','A 50-year-old male','A 50-year-old male with left leg linear scleroderma',1),
pa('p05','48 patients','16 publications, reporting 48 patients with CC treated with TST',48,s=C),
du('p05','4 months','mean duration of treatment was 4 months.',120,s=C),
ae('p05','allergic','One patient was allergic.',s=C),
# p06
pa('p06','A 51-year-old man','A 51-year-old man with ESRD on peritoneal dialysis',1),
fq('p06','bimonthly','lesion was treated with bimonthly intralesional injections of STS',0.5),
# p07
pa('p07','Three patients','Three patients admitted to 3 different hospitals',3),
fq('p07','daily','The topical STS was applied daily by the patients.',7),
# p09
fq('p09','once a week','recruited to treatment once a week for four weeks and follow up',1),
du('p09','four weeks','treatment once a week for four weeks and follow up after 12-16 weeks',28),
du('p09','12-16 weeks','for four weeks and follow up after 12-16 weeks.',84,'follow_up',v2=112),
pa('p09','38 patients','Among 43 patients offered treatment, 38 patients, 33 women and 5 men',38),
pa('p09','29 patients','consisting of 4 treatments were performed in 29 patients, 26 women',29),
# p10
pa('p10','four patients','We treated four patients, two with dermatomyositis',4),
pa('p10','four patients','All four patients were women with a mean age',4),
pa('p10','four patients','halt the progression of calcinosis in these four patients, including',4),
fq('p10','3 times weekly','10 g IV sodium thiosulfate 3 times weekly for 2 weeks',3),
du('p10','2 weeks','IV sodium thiosulfate 3 times weekly for 2 weeks, then 15g',14),
# p11
pa('p11','a paediatric patient','10% sodium thiosulfate in a paediatric patient with iatrogenic calcinosis',1),
pa('p11','Male 6 years old','Case Male 6 years old with primary hypothyroidism',1),
# p12
du('p12','Six months','Six months of daily application in a thick layer',180,s=C),
fq('p12','daily','Six months of daily application in a thick layer',7,s=C),
pa('p12','28 patients','subcutaneous calcifications in nine out of 28 patients (32%)',28,s=C),
ae('p12','local inflammation','with the exception of local inflammation in one participant',s=C),
# p14
pa('p14','a patient','an unusual case of calciphylaxis in a patient with stage 3 CKD',1),
pa('p14','A 72-year-old female','A 72-year-old female with a history of type 2 diabetes',1),
fq('p14','twice weekly','intravenous sodium thiosulfate twice weekly for 2 months',2),
du('p14','2 months','intravenous sodium thiosulfate twice weekly for 2 months with complete',60),
# p15
pa('p15','30 PD patients','this review identified 30 PD patients with calciphylaxis who received STS',30,s=C),
pa('p15','n = 18','For intravenous (IV) administration (n = 18), STS doses',18,s=C),
fq('p15','twice daily','STS doses ranged from 3.2 g twice daily to 25 g three times weekly',14,s=C),
fq('p15','three times weekly','to 25 g three times weekly for 5 weeks to 8 months',3,s=C),
du('p15','5 weeks to 8 months','three times weekly for 5 weeks to 8 months. Outcomes',35,s=C,v2=240),
ae('p15','adverse effects','6% discontinuing STS due to adverse effects, 67%','stopped',s=C),
mo('p15','50% dying from calciphylaxis complications','and 50% dying from calciphylaxis complications.',50,s=C),
pa('p15','n = 5','For intraperitoneal (IP) administration (n = 5), STS doses',5,s=C),
fq('p15','three to four times weekly','12.5 to 25 g three to four times weekly for 12 h',3,s=C,v2=4),
du('p15','12 h to 3 months','three to four times weekly for 12 h to 3 months. Results',0.5,s=C,v2=90),
ae('p15','adverse effects','80% discontinuing STS due to adverse effects, 40%','stopped',s=C),
mo('p15','20% dying from IP STS-related chemical peritonitis','and 20% dying from IP STS-related chemical peritonitis.',20,s=C),
ae('p15','chemical peritonitis','20% dying from IP STS-related chemical peritonitis.',s=C),
pa('p15','n = 3','switched from IV to IP STS (n = 3), doses ranged',3,s=C),
fq('p15','two to three times weekly','12.5 to 25 g two to three times weekly for 2.5',2,s=C,v2=3),
# p16
pa('p16','14 patients','A study of 14 patients suggests that several factors',14,s=C),
pa('p16','a nonuremic patient','Success was recently reported in a nonuremic patient treated with intravenous',1,s=C),
ae('p16','chemical peritonitis','not recommended owing to the risk of chemical peritonitis.',s=C),
fqc('p16','after or during hemodialysis','varied from 5-75 g after or during hemodialysis in adults','per_dialysis',s=C),
fqc('p16','after each dialysis','The most commonly reported dose has been 25 g after each dialysis.','per_dialysis',s=C),
ae('p16','nausea with emesis','adverse effects have include nausea with emesis and the development',s=C),
ae('p16','anion gap metabolic acidosis','the development of an anion gap metabolic acidosis that can be managed',s=C),
]
out=[]; bad=0
for (d,f,t,c,vmin,vmax,unit,cat,src) in L:
    doc=doc_path(d).read_text(encoding='utf-8')
    n=doc.count(c)
    if n==0 or t not in c:
        print('BAD',d,t,repr(c),n); bad+=1; continue
    if n>1:
        if d!=D1: print('AMBIG',d,t,repr(c),n); bad+=1; continue
        # 001 repeated block: take first occurrence, widen until unique
        s=doc.find(c); e=s+len(c)
        while doc.count(doc[s:e])>1: e+=1   # widen to the right only
        c=doc[s:e]
    if not (20<=len(c)<=80): print('note: context length',len(c),d,t)
    out.append(dict(doc_id=d,field=f,text=t,context=c,value_min=vmin,value_max=vmax,unit=unit,category=cat,source=src))
with open('/work/main/gold/v2fields/a13/labels.jsonl','w',encoding='utf-8') as h:
    for r in out: h.write(json.dumps(r,ensure_ascii=False)+'\n')
print(len(out),'labels;',bad,'bad')
