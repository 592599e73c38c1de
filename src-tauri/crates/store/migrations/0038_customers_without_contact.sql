-- The customer lookup of every accept (same phone, same e-mail, or the one "Unspecified" customer
-- of buyers a platform hid) read every customer: its third term had no index, so SQLite could not
-- take the other two by theirs either (21-24 ms an accept at 250,000 customers). This is the
-- third term's index (few customers lack both), so each term is one indexed read.
CREATE INDEX customers_without_contact ON customers(name) WHERE phone IS NULL AND email IS NULL;
