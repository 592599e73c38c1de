-- Triage in depth: price lists and their offers, offer binding, automatic rules, shop orders.

ALTER TABLE orders ADD COLUMN region TEXT;

CREATE TABLE price_lists (
    id             INTEGER PRIMARY KEY,
    name           TEXT    NOT NULL UNIQUE,
    -- ListSettings JSON (column mapping and read options), remembered for the next import.
    settings       TEXT    NOT NULL,
    source         TEXT,
    rows_read      INTEGER NOT NULL DEFAULT 0,
    rows_rejected  INTEGER NOT NULL DEFAULT 0,
    offers         INTEGER NOT NULL DEFAULT 0,
    imported_at    TEXT,
    created_at     TEXT    NOT NULL
);

-- No foreign key from lines to offers: a re-import replaces a list's offers, and a bound line
-- keeps its own copy of the offer it was bound to.
CREATE TABLE offers (
    id             INTEGER PRIMARY KEY,
    list_id        INTEGER NOT NULL REFERENCES price_lists(id) ON DELETE CASCADE,
    brand          TEXT    NOT NULL,
    article        TEXT    NOT NULL,
    brand_key      TEXT    NOT NULL,
    article_key    TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    price          TEXT    NOT NULL,
    stock          INTEGER,
    delivery_days  INTEGER,
    supplier       TEXT
);
CREATE INDEX offers_article ON offers(article_key, brand_key);
CREATE INDEX offers_list ON offers(list_id);

-- Text search over brand, article and name; rowid = offers.id. SQLite-only, behind the store.
CREATE VIRTUAL TABLE offers_text USING fts5(text, content='', contentless_delete=1, tokenize='trigram');

-- A marketplace SKU the manager once bound to a brand + article: used to find offers next time.
CREATE TABLE sku_mappings (
    account_id   INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    sku          TEXT    NOT NULL,
    brand_key    TEXT    NOT NULL,
    article_key  TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL,
    PRIMARY KEY (account_id, sku)
);

-- Orders of the shop ("All orders"), made from accepted lines: one per external order.
CREATE TABLE shop_orders (
    id               INTEGER PRIMARY KEY,
    number           TEXT    NOT NULL,
    source_order_id  INTEGER UNIQUE REFERENCES orders(id) ON DELETE SET NULL,
    account_id       INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    customer_id      INTEGER REFERENCES customers(id) ON DELETE SET NULL,
    created_at       TEXT    NOT NULL
);
CREATE INDEX shop_orders_created ON shop_orders(created_at DESC, id DESC);
CREATE INDEX shop_orders_customer ON shop_orders(customer_id);

-- BoundOffer JSON: the offer as it was when bound, with the quantity and price agreed.
ALTER TABLE lines ADD COLUMN bound_offer TEXT;
-- RuleDecision JSON when a rule, not the manager, decided the line.
ALTER TABLE lines ADD COLUMN decided_by_rule TEXT;
ALTER TABLE lines ADD COLUMN shop_order_id INTEGER REFERENCES shop_orders(id) ON DELETE SET NULL;
CREATE INDEX lines_rule ON lines(state_changed_at) WHERE decided_by_rule IS NOT NULL;

CREATE TABLE rules (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    name        TEXT    NOT NULL,
    enabled     INTEGER NOT NULL DEFAULT 1,
    conditions  TEXT    NOT NULL,
    action      TEXT    NOT NULL
);
CREATE INDEX rules_account ON rules(account_id, position);

ALTER TABLE accounts ADD COLUMN auto_rules INTEGER NOT NULL DEFAULT 0;

-- The shop's own statuses (code = a built-in one the UI words per language; name = the shop's).
CREATE TABLE shop_statuses (
    id        INTEGER PRIMARY KEY,
    code      TEXT UNIQUE,
    name      TEXT    NOT NULL DEFAULT '',
    grp       TEXT    NOT NULL,
    position  INTEGER NOT NULL
);
INSERT INTO shop_statuses (code, grp, position) VALUES
    ('accepted', 'new', 0), ('ordered', 'in_work', 1), ('in_stock', 'in_work', 2), ('shipped', 'done', 3),
    ('delivered', 'done', 4), ('refused', 'refused', 5), ('removed', 'removed', 6);
ALTER TABLE lines ADD COLUMN shop_status_id INTEGER REFERENCES shop_statuses(id);

-- Per account: what each shop status sends to the marketplace (PushTemplates JSON).
CREATE TABLE push_templates (
    account_id  INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    doc         TEXT NOT NULL
);
