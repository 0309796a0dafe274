import json
L={'blind':[],'last':[],'envoi':[]}
def a(s,doc,field,text,ctx,vmin=None,vmax=None,unit=None,cat=None,src='this_study'):
    L[s].append(dict(doc_id=doc,field=field,text=text,context=ctx,value_min=vmin,value_max=vmax,unit=unit,category=cat,source=src))
P=lambda s,doc,text,ctx,n,src='this_study',cat='patients': a(s,doc,'patients',text,ctx,n,n,None,cat,src)
# blind
a('blind','g7_01','adverse_event','Anion Gap Metabolic Acidosis','limited by the adverse effect of Anion Gap Metabolic Acidosis',cat='adverse_event',src='cited')
P('blind','g7_02','three patients','On the examples of three patients from our haemodialysis',3)
a('blind','g7_02','frequency','at the end of haemodialysis session','administered to all patients at the end of haemodialysis session',cat='per_dialysis')
P('blind','g7_07','a patient','A case of severe calciphylaxis in a patient with End Stage',1)
a('blind','g8_07','frequency','3 times per week','25 g IV 3 times per week following dialysis',3,3,'per_week',src='cited')
a('blind','g8_07','frequency','following dialysis','3 times per week following dialysis for 6 weeks',cat='per_dialysis',src='cited')
a('blind','g8_07','duration','6 weeks to 9 months','following dialysis for 6 weeks to 9 months; other protocols',42,270,'days','treatment',src='cited')
P('blind','g8_10','a 78-year-old woman','We report the case of a 78-year-old woman with a history',1)
a('blind','g8_24','frequency','three times a week',"It's given intravenously three times a week, usually during dialysis",3,3,'per_week',src='cited')
a('blind','g8_24','frequency','during dialysis','three times a week, usually during dialysis',cat='per_dialysis',src='cited')
# last
P('last','g10_01','a patient','after hypercalcaemia, in a patient with multiple myeloma\n\n1',1)
P('last','g10_01','a patient','Page 1: Calciphylaxis, occurring 10 weeks after hypercalcaemia, in a patient',1)
P('last','g10_01','apatient','after hypercalcaemia, in apatient with multiple myeloma',1)
P('last','g10_01','A 52-year-old male patient','A 52-year-old male patient presented to the emergency',1)
P('last','g10_11','a case','We report a case demonstrating the regression',1)
P('last','g10_11','a 71-year-old Asian woman','We describe the case of a 71-year-old Asian woman on hemodialysis',1)
a('last','g10_11','duration','two years','Repeated plain radiographs in the following two years revealed',730,730,'days','follow_up')
P('last','g10_19','A Case','A Case of Rapidly Progressive Unilateral',1)
P('last','g10_19','a 71-year-old female','bullous calciphylaxis in a 71-year-old female, emphasizing',1)
P('last','g9_02','5 cases','We identified 5 cases of calciphylaxis (all female)',5)
# envoi
P('envoi','g22_03','a Quarter Horse gelding','Jul 8.\n\nSystemic calcinosis in a Quarter Horse gelding',1)
P('envoi','g22_03','a Quarter Horse gelding','Case Reports\n\nSystemic calcinosis in a Quarter Horse gelding',1)
P('envoi','g22_03','A 9-year-old Quarter Horse gelding','Case description: A 9-year-old Quarter Horse gelding was presented',1)
for s,v in L.items():
    with open(f'labels_{s}.jsonl','w') as f:
        for r in v: f.write(json.dumps(r,ensure_ascii=False)+'\n')
