-- The shop's catalog: products the items of store-platform orders are (found by the account's
-- "identify products by" key, or made), filed under a tree of categories.
CREATE TABLE product_categories (
    id         INTEGER PRIMARY KEY,
    parent_id  INTEGER REFERENCES product_categories(id) ON DELETE CASCADE,
    name       TEXT    NOT NULL
);
-- One name per level: a category met again is reused, never made twice (NULL parents compare
-- equal through the COALESCE).
CREATE UNIQUE INDEX product_categories_name ON product_categories(COALESCE(parent_id, 0), name COLLATE NOCASE);

CREATE TABLE products (
    id           INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL,
    description  TEXT    NOT NULL DEFAULT '',
    -- The seller's article.
    sku          TEXT    NOT NULL DEFAULT '',
    -- The platform's product id.
    code         TEXT    NOT NULL DEFAULT '',
    unit         TEXT    NOT NULL DEFAULT 'piece',
    category_id  INTEGER REFERENCES product_categories(id) ON DELETE SET NULL,
    created_at   TEXT    NOT NULL
);
CREATE INDEX products_sku ON products(sku) WHERE sku <> '';
CREATE INDEX products_code ON products(code) WHERE code <> '';
CREATE INDEX products_name ON products(name COLLATE NOCASE);
CREATE INDEX products_category ON products(category_id);

ALTER TABLE lines ADD COLUMN product_id INTEGER REFERENCES products(id) ON DELETE SET NULL;
CREATE INDEX lines_product ON lines(product_id) WHERE product_id IS NOT NULL;

-- A buyer's name in its parts, from platforms that send them so (name keeps both).
ALTER TABLE customers ADD COLUMN first_name TEXT;
ALTER TABLE customers ADD COLUMN last_name TEXT;
ALTER TABLE orders ADD COLUMN buyer_first_name TEXT;
ALTER TABLE orders ADD COLUMN buyer_last_name TEXT;
