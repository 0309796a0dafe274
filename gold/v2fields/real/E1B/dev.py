from mk import *
L=[
('r01','patients','a 57-year-old woman','One patient, a 57-year-old woman with end-stage renal disease',P(1),'this_study'),
('r01','frequency','three times a week','sodium thiosulfate 25g three times a week',F(3),'this_study'),
('r02','patients','A 45-year-old female','A 45-year-old female presented with a two-week history',P(1),'this_study'),
('r03','patients','a 40-year-old Chinese male patient','We present a case of a 40-year-old Chinese male patient',P(1),'this_study'),
('r03','duration','6 months','managed successfully for 6 months with comprehensive treatment',DT(180,180),'this_study'),
('r07','patients','eight calciphylaxis patients','We herein discuss eight calciphylaxis patients’ responses to STS',P(8),'this_study'),
('r08','duration','10 weeks','Treatment visits over 10 weeks. They will get',DT(70,70),'this_study'),
('r08','frequency','3 times a week','They will get STS 3 times a week through IV infusion',F(3),'this_study'),
('r08','duration','24 weeks','post-treatment visits 24 weeks and 62 weeks',DF(168,168),'this_study'),
('r08','duration','62 weeks','visits 24 weeks and 62 weeks after starting STS',DF(434,434),'this_study'),
('r12','patients','a patient','abatacept and sodium thiosulfate in a patient with severe',P(1),'this_study'),
('r12','patients','a case','We describe a case of unremitting JDM',P(1),'this_study'),
('r12','patients','A 14 year old Caucasian girl','A 14 year old Caucasian girl with severe JDM',P(1),'this_study'),
('r14','patients','a patient','sodium thiosulfate in a patient on peritoneal dialysis.\nCalcific',P(1),'this_study'),
('r14','patients','a patient','thiosulfate in a patient on peritoneal dialysis.\nThough CUA',P(1),'this_study'),
('r17','patients','a 62-year-old obese lady','We describe a 62-year-old obese lady on hemodialysis',P(1),'this_study'),
('r18','patients','two premature neonates','calcinosis cutis in two premature neonates JF European',P(2),'this_study'),
('r18','patients','two premature neonates','topical non-invasive way in two premature neonates and',P(2),'this_study'),
('r18','patients','two premature neonates','in two premature neonates (born at 31 and 34 weeks)',P(2),'this_study'),
('r18','patients','a 6-year-old child','its use in a 6-year-old child with calcinosis cutis',P(1),'cited'),
]
write('dev',L)
