-- Ozon FBO postings (Ozon stores and ships them): imported for All orders and the charts only.
-- A read-only order is never in the inbox, refuses triage and never causes a marketplace call.
ALTER TABLE orders ADD COLUMN read_only INTEGER NOT NULL DEFAULT 0;
