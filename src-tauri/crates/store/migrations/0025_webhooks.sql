-- Webhooks from store platforms (WooCommerce, Shopify): a platform may deliver one event twice
-- under the same delivery id; the intake takes it once. Kept as long as the request log is.
ALTER TABLE intake_requests ADD COLUMN delivery_id TEXT;
CREATE UNIQUE INDEX intake_requests_by_delivery ON intake_requests (account_id, delivery_id)
    WHERE delivery_id IS NOT NULL;

-- Something about an account the manager should know while its sync still works (a store's
-- webhook paused after failed deliveries): ErrorWords as JSON, set or cleared by each run.
ALTER TABLE accounts ADD COLUMN notice_words TEXT;
