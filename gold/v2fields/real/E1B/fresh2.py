from mk import *
L=[
('g14_06','adverse_event','nausea','intravenous STS include nausea, metabolic acidosis',AE,'cited'),
('g14_06','adverse_event','metabolic acidosis','include nausea, metabolic acidosis, hypotension',AE,'cited'),
('g14_06','adverse_event','hypotension','metabolic acidosis, hypotension and volume overload',AE,'cited'),
('g14_06','adverse_event','volume overload','hypotension and volume overload. Few side effects',AE,'cited'),
('g14_09','frequency','during the dialysis session','delivered intravenously during the dialysis session',FC('per_dialysis'),'cited'),
('g14_09','frequency','three times per week','administered three times per week during each',F(3),'cited'),
('g14_09','frequency','during each hemodialysis session','three times per week during each hemodialysis session',FC('per_dialysis'),'cited'),
]
write('fresh2',L)
write('coda',[])
