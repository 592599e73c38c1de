-- App-wide preferences (autostart, closing to the tray…), one JSON document per key.
CREATE TABLE app_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
