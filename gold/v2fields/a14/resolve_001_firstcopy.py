"""001 holds its letter three times; GUIDELINES §1/§8 label only the first copy, but every context
in the first copy recurs verbatim, so scripts/resolve_offsets.py refuses them ("context occurs more
than once"). This helper resolves those labels at the FIRST occurrence of the context (the first copy)
and writes gold_corpus/001_99b74193d2bf15ca.jsonl. The project script is not modified."""
import json
from pathlib import Path
KEYS = ("doc_id", "field", "text", "start", "end", "value_min", "value_max", "unit", "category", "source")
doc_id = '001_99b74193d2bf15ca'
doc = Path(f'/work/main/corpus/{doc_id}.txt').read_text(encoding='utf-8')
first_copy_end = doc.find('To the Editor:', doc.find('To the Editor:') + 1)
out = []
for line in open('labels_corpus.jsonl', encoding='utf-8'):
    r = json.loads(line)
    if r['doc_id'] != doc_id: continue
    c = doc.find(r['context']); assert c >= 0
    s = c + r['context'].index(r['text'])
    assert s + len(r['text']) <= first_copy_end and doc[s:s+len(r['text'])] == r['text']
    r['start'], r['end'] = s, s + len(r['text'])
    out.append({k: r.get(k) for k in KEYS})
out.sort(key=lambda r: (r['start'], r['end'], r['field']))
with open(f'gold_corpus/{doc_id}.jsonl', 'w', encoding='utf-8') as f:
    for r in out: f.write(json.dumps(r, ensure_ascii=False) + '\n')
print(len(out), 'resolved in first copy (ends at', first_copy_end, ')')
