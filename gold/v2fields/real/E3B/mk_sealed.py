import json
L=[]
def a(d,f,t,c,vmin=None,vmax=None,unit=None,cat=None,src="this_study"):
    if vmax is None and vmin is not None: vmax=vmin
    L.append(dict(doc_id=d,field=f,text=t,context=c,value_min=vmin,value_max=vmax,unit=unit,category=cat,source=src))
P=dict(cat="patients")
# s01
a("s01","adverse_event","Life-Threatening Metabolic Acidosis","Sodium-Thiosulfate Induced Life-Threatening Metabolic Acidosis Limiting",cat="stopped")
a("s01","adverse_event","high anion gap metabolic acidosis","often limited by the development of high anion gap metabolic acidosis",cat="stopped",src="cited")
a("s01","patients","A 53-year-old male","CASE REPORT: A 53-year-old male who had",1,**P)
a("s01","adverse_event","life threatening metabolic acidosis","he developed life threatening metabolic acidosis requiring",cat="adverse_event")
a("s01","adverse_event","metabolic acidosis","is limited by the development of metabolic acidosis when using STS",cat="stopped")
# s03
a("s03","patients","A 65-year-old man","A 65-year-old man with a medical history",1,**P)
# s06
a("s06","frequency","in the last 60 minutes of each haemodialysis session","administered in the last 60 minutes of each haemodialysis session",cat="per_dialysis")
a("s06","duration","3 weeks","haemodialysis session for 3 weeks.",21,unit="days",cat="treatment")
# s07
a("s07","duration","24 weeks and up to 48 weeks","treated with STS for at least 24 weeks and up to 48 weeks",168,336,unit="days",cat="treatment")
a("s07","frequency","3 times a week","25g per day, 3 times a week but",3,unit="per_week")
# s15
a("s15","patients","a 45-year-old female","We present in here a 45-year-old female on chronic dialysis",1,**P)
# s18 (general background, cited)
C=dict(cat="adverse_event",src="cited")
a("s18","adverse_event","nausea","for calciphylaxis include nausea, vomiting",**C)
a("s18","adverse_event","vomiting","include nausea, vomiting, and metabolic acidosis",**C)
a("s18","adverse_event","metabolic acidosis","nausea, vomiting, and metabolic acidosis. Potential",**C)
a("s18","adverse_event","cardiovascular impacts","Potential cardiovascular impacts, electrolyte imbalances",**C)
a("s18","adverse_event","electrolyte imbalances","cardiovascular impacts, electrolyte imbalances, and fluid retention",**C)
a("s18","adverse_event","fluid retention","electrolyte imbalances, and fluid retention are also",**C)
a("s18","adverse_event","Nausea","Gastrointestinal Distress: Nausea and vomiting are",**C)
a("s18","adverse_event","vomiting","Distress: Nausea and vomiting are the most common",**C)
a("s18","adverse_event","metabolic acidosis","risk developing metabolic acidosis and electrolyte",**C)
a("s18","adverse_event","electrolyte imbalances","metabolic acidosis and electrolyte imbalances, including high sodium",**C)
a("s18","adverse_event","high sodium","including high sodium and low potassium",**C)
a("s18","adverse_event","low potassium","high sodium and low potassium.",**C)
a("s18","adverse_event","Hypotension","Cardiovascular Risks: Hypotension and fluid overload",**C)
a("s18","adverse_event","fluid overload","Hypotension and fluid overload are potential side effects",**C)
a("s18","adverse_event","serious allergic reactions","Though rare, serious allergic reactions, including anaphylaxis",**C)
a("s18","adverse_event","anaphylaxis","reactions, including anaphylaxis, can occur",**C)
a("s18","adverse_event","hypotension","side effects, such as hypotension, can be dependent",**C)
# s20
a("s20","patients","a 53-year-old female","We present a case of a 53-year-old female with previous",1,**P)
a("s20","adverse_event","severe nausea and vomiting","symptom was severe nausea and vomiting, which related to sodium",cat="adverse_event")
# s26
a("s26","patients","a patient","a rare case involving a patient with TC",1,**P)
a("s26","patients","a 31-year-old man","Our patient was a 31-year-old man undergoing",1,**P)
a("s26","duration","27 weeks","was administered for 27 weeks.",189,unit="days",cat="treatment")
# t08
a("t08","patients","8 cases","patients: 8 cases treated\n\nwith",8,**P)
a("t08","patients","8\n\ncases","patients: 8\n\ncases treated",8,**P)
a("t08","patients","8\n\nmalades",":\n\n8\n\nmalades\n\ntraités",8,**P)
a("t08","patients","8 cases","patients:8 cases trea-ted",8,**P)
with open("labels_sealed.jsonl","w") as f:
    for x in L: f.write(json.dumps(x, ensure_ascii=False)+"\n")
