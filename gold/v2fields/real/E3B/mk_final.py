import json
L=[]
def a(d,f,t,c,vmin=None,vmax=None,unit=None,cat=None,src="this_study"):
    if vmax is None and vmin is not None: vmax=vmin
    L.append(dict(doc_id=d,field=f,text=t,context=c,value_min=vmin,value_max=vmax,unit=unit,category=cat,source=src))
a("w01","frequency","with each subsequent hemodialysis","25 mg with each subsequent hemodialysis",cat="per_dialysis")
a("w07","patients","a 64-year-old advanced calciphylaxis male patient","We report the case of a 64-year-old advanced calciphylaxis male patient",1,cat="patients")
a("w08","patients","A 68-year-old woman","A 68-year-old woman on hemodialysis",1,cat="patients")
a("w08","duration","6 months","After 6 months of treatment",180,unit="days",cat="treatment")
a("w10","patients","a 69-year-old male patient","we describe a 69-year-old male patient who presented",1,cat="patients")
a("w12","patients","a patient","This case report describes a patient with calciphylaxis",1,cat="patients")
a("w12","adverse_event","metabolic derangements","had to be stopped due to metabolic derangements",cat="stopped")
a("w12","patients","a 65-year-old female","we describe a case of a 65-year-old female with",1,cat="patients")
a("w12","adverse_event","acute kidney injury","but was due to an acute kidney injury, hypokalemia",cat="stopped")
a("w12","adverse_event","hypokalemia","acute kidney injury, hypokalemia, and metabolic acidosis",cat="stopped")
a("w12","adverse_event","metabolic acidosis","hypokalemia, and metabolic acidosis.",cat="stopped")
a("w19","patients","A 54-year-old gentleman","A 54-year-old gentleman presented",1,cat="patients")
a("w19","frequency","after dialysis","intravenous sodium thiosulfate after dialysis",cat="per_dialysis")
with open("labels_final.jsonl","w") as f:
    for x in L: f.write(json.dumps(x)+"\n")
