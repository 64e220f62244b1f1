-- A platform operator's session acts for one merchant at a time, chosen in the back office.
ALTER TABLE back_office_sessions ADD COLUMN acting_for TEXT REFERENCES merchants (id);
