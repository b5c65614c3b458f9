-- Mobilis (Algérie Télécom Mobile) number ranges, in E.164 form: national 065x, 066x, 0670–0676 and 069x
-- are +213 65…, +213 66…, +213 670…676 and +213 69…. Staff phones must start with an active prefix
-- when PHONE_POLICY=mobilis. Admins can add or disable ranges later.
INSERT INTO "mobilis_phone_prefixes" ("prefix", "description") VALUES
  ('+21365', 'Mobilis 065x'),
  ('+21366', 'Mobilis 066x'),
  ('+213670', 'Mobilis 0670'),
  ('+213671', 'Mobilis 0671'),
  ('+213672', 'Mobilis 0672'),
  ('+213673', 'Mobilis 0673'),
  ('+213674', 'Mobilis 0674'),
  ('+213675', 'Mobilis 0675'),
  ('+213676', 'Mobilis 0676'),
  ('+21369', 'Mobilis 069x')
ON CONFLICT ("prefix") DO NOTHING;
