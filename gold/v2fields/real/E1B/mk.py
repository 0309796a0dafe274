import json,sys
D='/work/main/gold/v2fields/real/E1B/'
R='/work/main/realtext/'
def P(n):return (n,n,None,'patients')
def F(n):return (n,n,'per_week',None)
def FC(c):return (None,None,None,c)
def DT(a,b):return (a,b,'days','treatment')
def DF(a,b):return (a,b,'days','follow_up')
AE=(None,None,None,'adverse_event')
ST=(None,None,None,'stopped')
def M(v):return (v,v,'%',None)
def write(s,labels):
    out=open(D+f'labels_{s}.jsonl','w')
    for doc,field,text,ctx,norm,src in labels:
        t=open(R+f'{s}/docs/{doc}.txt').read()
        assert text in ctx,(doc,text)
        n=t.count(ctx)
        if n!=1: print('CTX COUNT',n,doc,repr(ctx))
        if not (20<=len(ctx)<=80): print('CTX LEN',len(ctx),doc,repr(ctx))
        vmin,vmax,unit,cat=norm
        out.write(json.dumps(dict(doc_id=doc,field=field,text=text,context=ctx,value_min=vmin,value_max=vmax,unit=unit,category=cat,source=src))+'\n')
    out.close()
    ids=[l.split('\t')[1].strip() for l in open('/work/main/gold/v2fields/real/assign_E1.tsv') if l.split('\t')[0]==s]
    open(D+f'assigned_{s}.txt','w').write('\n'.join(ids)+'\n')
    print(s,len(labels),ids)
