import json
L=[]
def m(doc,field,text,context=None,vmin=None,vmax=None,unit=None,cat=None,src="this_study"):
    d={"doc_id":doc,"field":field,"text":text}
    if context: d["context"]=context
    d.update(value_min=vmin,value_max=vmax,unit=unit,category=cat,source=src)
    L.append(d)
# u01
m("u01","route","IV","treating calciphylaxis with IV sodium thiosulfate",cat="intravenous")
m("u01","outcome","five hemodialysis patients, have been successfully treated",cat="partial_response")
# u02
m("u02","outcome","poor progression and evolution","sodium thiosulfate with a poor progression and evolution",cat="no_response")
# u03
C="cited"
m("u03","route","injection","Sodium thiosulphate 25%, 50ml injection",cat="injection",src=C)
m("u03","concentration","25%","Sodium thiosulphate 25%, 50ml",vmin=25,vmax=25,unit="%",src=C)
m("u03","concentration","12.5g in 50ml",vmin=25,vmax=25,unit="%",src=C)
m("u03","route","intravenous","Intermittent intravenous infusion (calciphylaxis)",cat="intravenous",src=C)
m("u03","dose","25 grams",vmin=25000,vmax=25000,unit="mg",src=C)
m("u03","dose","12.5g","A reduction of dose to 12.5g is suggested",vmin=12500,vmax=12500,unit="mg",src=C)
m("u03","dose","12.5g","Give 12.5g twice weekly, initially",vmin=12500,vmax=12500,unit="mg",src=C)
m("u03","dose","25g","Give 25g twice weekly, initially",vmin=25000,vmax=25000,unit="mg",src=C)
m("u03","dose","12.5g","Give 12.5g twice weekly initially",vmin=12500,vmax=12500,unit="mg",src=C)
m("u03","dose","25g","Give 25g twice weekly initially",vmin=25000,vmax=25000,unit="mg",src=C)
# u04
m("u04","route","Intravenous","Intravenous Sodium Thiosulphate for Calciphylaxis of Chronic Kidney Disease: A Systematic Review and Meta-analysis\n\nAffiliations",cat="intravenous")
m("u04","route","Intravenous","Intravenous Sodium Thiosulphate for Calciphylaxis of Chronic Kidney Disease: A Systematic Review and Meta-analysis\n\nWen Wen",cat="intravenous")
m("u04","route","intravenous","calciphylaxis treated with and without intravenous STS",cat="intravenous")
m("u04","route","intravenous","patients treated with and without intravenous STS. Studies",cat="intravenous")
# u07
m("u07","outcome","improving the severe pain","success both in improving the severe pain associated",cat="symptom_relief",src=C)
m("u07","outcome","healing of calciphylaxis lesions",cat="complete_response",src=C)
# u08
m("u08","dose","25 mg",vmin=25,vmax=25,unit="mg")
m("u08","route","intravenously","25 mg intravenously 3 times weekly",cat="intravenous")
m("u08","outcome","symptom improvement",cat="symptom_relief")
m("u08","outcome","resolution of the rash",cat="complete_response")
m("u08","outcome","recurrence of the painful violaceous rash",cat="recurrence")
m("u08","outcome","responded well",cat="partial_response")
with open("labels.jsonl","w",encoding="utf-8") as f:
    for d in L: f.write(json.dumps(d,ensure_ascii=False)+"\n")
print(len(L))
