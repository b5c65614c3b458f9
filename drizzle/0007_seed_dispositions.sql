-- The standard call outcomes. `contacted`: someone answered; `right_party_contact`: it was the borrower.
-- A centre may add its own rows; only these codes have built-in effects (promise, dispute, do-not-call…).
INSERT INTO "dispositions" ("code", "label", "contacted", "right_party_contact", "sort_order") VALUES
  ('promise_to_pay', 'Promise to pay', true, true, 10),
  ('paid', 'Already paid', true, true, 20),
  ('callback_requested', 'Callback requested', true, true, 30),
  ('refused_to_pay', 'Refused to pay', true, true, 40),
  ('dispute', 'Disputes the debt', true, true, 50),
  ('do_not_call', 'Asked not to be called', true, true, 60),
  ('wrong_number', 'Wrong number', true, false, 70),
  ('deceased', 'Customer deceased', true, false, 80),
  ('no_answer', 'No answer', false, false, 90),
  ('busy', 'Busy', false, false, 100),
  ('voicemail', 'Voicemail', false, false, 110)
ON CONFLICT ("code") DO NOTHING;
