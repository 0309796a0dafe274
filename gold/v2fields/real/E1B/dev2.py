from mk import *
L=[
('s01','frequency','over the last 60 minutes of each dialysis','IV over the last 60 minutes of each dialysis thereafter',FC('per_dialysis'),'this_study'),
('s01','adverse_event','Hypotension','Side effects Hypotension – monitor BP',AE,'this_study'),
('s01','adverse_event','Nausea & vomiting','Nausea & vomiting – give ondansetron',AE,'this_study'),
('s01','adverse_event','Metabolic acidosis','Metabolic acidosis (correct on dialysis)',AE,'cited'),
('s01','adverse_event','Sinus congestion','(correct on dialysis), Sinus congestion',AE,'cited'),
('s02','frequency','three times weekly','25 g infused over 60 minutes three times weekly',F(3),'cited'),
('s02','frequency','after the procedure','should be administered after the procedure',FC('per_dialysis'),'cited'),
('s02','duration','6 weeks to 34 months','Treatment has extended from 6 weeks to 34 months',DT(42,1020),'cited'),
('s03','patients','An 81-year-old woman','An 81-year-old woman with multiple comorbidities presented with bilateral',P(1),'this_study'),
('s03','patients','an 81-year-old woman','Our patient is an 81-year-old woman with multiple',P(1),'this_study'),
('s03','patients','An 81-year-old woman','An 81-year-old woman with multiple comorbidities, including',P(1),'this_study'),
('s05','patients','a dialysis patient','Calciphylaxis in a dialysis patient treated by intralesional',P(1),'this_study'),
('s05','patients','a haemodialysis patient','improvement of wounds in a haemodialysis patient affected by CUA',P(1),'this_study'),
('s05','adverse_event','nausea','characterized by nausea, hypocalcaemia',AE,'cited'),
('s05','adverse_event','hypocalcaemia','by nausea, hypocalcaemia, metabolic acidosis',AE,'cited'),
('s05','adverse_event','metabolic acidosis','hypocalcaemia, metabolic acidosis and QT-interval',AE,'cited'),
('s05','adverse_event','QT-interval prolongation','metabolic acidosis and QT-interval prolongation',AE,'cited'),
]
write('dev2',L)
