-- Times are UTC text in one fixed format (see store::time), so they sort lexically.

CREATE TABLE accounts (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL,
    name            TEXT    NOT NULL UNIQUE,
    region          TEXT    NOT NULL DEFAULT '',
    active          INTEGER NOT NULL DEFAULT 1,
    interval_secs   INTEGER NOT NULL,
    base_url        TEXT,
    demo            INTEGER NOT NULL DEFAULT 0,
    -- Typed settings as JSON. Credentials are never here: they live in the OS keychain.
    settings        TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    last_poll_at    TEXT,
    last_outcome    TEXT,
    last_error      TEXT,
    next_poll_at    TEXT,
    failing_since   TEXT
);

CREATE TABLE sync_cursors (
    account_id  INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    cursor      TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE sync_runs (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    started_at      TEXT    NOT NULL,
    finished_at     TEXT,
    outcome         TEXT,
    pages           INTEGER NOT NULL DEFAULT 0,
    orders_seen     INTEGER NOT NULL DEFAULT 0,
    orders_new      INTEGER NOT NULL DEFAULT 0,
    orders_changed  INTEGER NOT NULL DEFAULT 0,
    lines_new       INTEGER NOT NULL DEFAULT 0,
    quarantined     INTEGER NOT NULL DEFAULT 0,
    error           TEXT
);
CREATE INDEX sync_runs_account ON sync_runs(account_id, id);

CREATE TABLE customers (
    id          INTEGER PRIMARY KEY,
    name        TEXT,
    phone       TEXT,
    email       TEXT,
    address     TEXT,
    region      TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);
CREATE INDEX customers_phone ON customers(phone) WHERE phone IS NOT NULL;
CREATE INDEX customers_email ON customers(email) WHERE email IS NOT NULL;

-- External orders as the marketplace sent them (Ozon: postings).
CREATE TABLE orders (
    id                      INTEGER PRIMARY KEY,
    account_id              INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    external_id             TEXT    NOT NULL,
    number                  TEXT    NOT NULL,
    status                  TEXT    NOT NULL,
    created_at              TEXT    NOT NULL,
    first_seen_at           TEXT    NOT NULL,
    updated_at              TEXT    NOT NULL,
    buyer_name              TEXT,
    buyer_phone             TEXT,
    buyer_email             TEXT,
    buyer_address           TEXT,
    customer_id             INTEGER REFERENCES customers(id) ON DELETE SET NULL,
    available_actions       TEXT    NOT NULL DEFAULT '[]',
    content_hash            TEXT    NOT NULL,
    raw                     TEXT    NOT NULL,
    changed_by_marketplace  TEXT,
    UNIQUE (account_id, external_id)
);
CREATE INDEX orders_created ON orders(created_at DESC, id DESC);

CREATE TABLE lines (
    id                      INTEGER PRIMARY KEY,
    order_id                INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    external_id             TEXT    NOT NULL,
    sku                     TEXT    NOT NULL,
    offer_id                TEXT    NOT NULL,
    name                    TEXT    NOT NULL,
    quantity                INTEGER NOT NULL,
    price                   TEXT    NOT NULL,
    currency                TEXT    NOT NULL,
    state                   TEXT    NOT NULL DEFAULT 'new',
    state_changed_at        TEXT,
    removed_by_marketplace  INTEGER NOT NULL DEFAULT 0,
    UNIQUE (order_id, external_id)
);
CREATE INDEX lines_state ON lines(state, order_id);

-- The audit timeline: every change, who or what made it, when.
CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    at          TEXT    NOT NULL,
    account_id  INTEGER REFERENCES accounts(id) ON DELETE CASCADE,
    order_id    INTEGER REFERENCES orders(id) ON DELETE CASCADE,
    line_id     INTEGER,
    kind        TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    message     TEXT    NOT NULL,
    data        TEXT
);
CREATE INDEX events_order ON events(order_id, id);
CREATE INDEX events_account ON events(account_id, id);

-- Every outbound effect, written in the same transaction as the change that causes it.
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    account_id       INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    order_id         INTEGER REFERENCES orders(id) ON DELETE CASCADE,
    kind             TEXT    NOT NULL,
    payload          TEXT    NOT NULL,
    idempotency_key  TEXT    NOT NULL UNIQUE,
    state            TEXT    NOT NULL DEFAULT 'pending',
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT    NOT NULL,
    last_error       TEXT,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL
);
CREATE INDEX outbox_due ON outbox(state, next_attempt_at, id);
CREATE INDEX outbox_account ON outbox(account_id, state);

-- Orders a connector could not parse or map, kept with the reason and the raw payload.
CREATE TABLE quarantine (
    id             INTEGER PRIMARY KEY,
    account_id     INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    external_id    TEXT,
    reason         TEXT NOT NULL,
    raw            TEXT NOT NULL,
    raw_hash       TEXT NOT NULL,
    first_seen_at  TEXT NOT NULL,
    last_seen_at   TEXT NOT NULL,
    UNIQUE (account_id, raw_hash)
);
