-- The guide's schema. Times are integer seconds since the Unix epoch, UTC.
-- Foreign keys are declared for readers of the schema, but the code deletes dependent
-- rows itself: Spin's SQLite connections do not promise `PRAGMA foreign_keys = ON`.

CREATE TABLE providers (
    id                        INTEGER PRIMARY KEY,
    name                      TEXT    NOT NULL UNIQUE,
    xmltv_url                 TEXT    NOT NULL,
    enabled                   INTEGER NOT NULL DEFAULT 1,
    -- Lower value wins when several providers feed one channel.
    priority                  INTEGER NOT NULL DEFAULT 10,
    -- IANA zone that offset-less feed times are in (NULL: UTC).
    timezone                  TEXT,
    -- Added to every feed time, for feeds that lie about their zone.
    offset_correction_minutes INTEGER NOT NULL DEFAULT 0,
    etag                      TEXT,
    last_modified             TEXT,
    last_fetched_at           INTEGER,
    last_success_at           INTEGER,
    created_at                INTEGER NOT NULL,
    updated_at                INTEGER NOT NULL
);

CREATE TABLE channels (
    id              INTEGER PRIMARY KEY,
    name            TEXT    NOT NULL,
    -- Name folded for matching: lower case, no accents or punctuation, no HD/SD suffix.
    normalized_name TEXT    NOT NULL,
    icon            TEXT,
    xmltv_id        TEXT    UNIQUE,
    lcn             TEXT,
    enabled         INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX channels_normalized_name ON channels (normalized_name);

CREATE TABLE channel_mappings (
    id                  INTEGER PRIMARY KEY,
    provider_id         INTEGER NOT NULL REFERENCES providers (id),
    provider_channel_id TEXT    NOT NULL,
    channel_id          INTEGER NOT NULL REFERENCES channels (id),
    -- Minutes added to every programme of this provider channel ("+1" channels).
    time_shift_minutes  INTEGER NOT NULL DEFAULT 0,
    -- 1 when set through the API: imports never move it.
    manual              INTEGER NOT NULL DEFAULT 0,
    -- The provider's <channel> element as JSON (display names, icons, urls, lcn).
    data                TEXT,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    UNIQUE (provider_id, provider_channel_id)
);
CREATE INDEX channel_mappings_channel ON channel_mappings (channel_id);

CREATE TABLE programmes (
    id          INTEGER PRIMARY KEY,
    mapping_id  INTEGER NOT NULL REFERENCES channel_mappings (id),
    -- Denormalised from the mapping so that a channel's window is one index range.
    channel_id  INTEGER NOT NULL,
    provider_id INTEGER NOT NULL,
    -- UTC seconds with the mapping's time shift applied.
    start       INTEGER NOT NULL,
    stop        INTEGER NOT NULL,
    -- First title, sub-title and description, for listings and search.
    title       TEXT    NOT NULL,
    sub_title   TEXT,
    description TEXT,
    -- One-based, parsed from the episode numbers.
    season      INTEGER,
    episode     INTEGER,
    part        INTEGER,
    -- The whole model::Programme as JSON, times as the feed gave them (before the shift).
    data        TEXT    NOT NULL
);
CREATE INDEX programmes_channel_start ON programmes (channel_id, start);
CREATE INDEX programmes_mapping_start ON programmes (mapping_id, start);
CREATE INDEX programmes_stop ON programmes (stop);

-- One row per run and provider: the run's queue entry, lease, progress and outcome.
CREATE TABLE import_log (
    id               INTEGER PRIMARY KEY,
    provider_id      INTEGER NOT NULL,
    -- 'manual', 'schedule' or 'cli'.
    trigger          TEXT    NOT NULL,
    -- 'queued', 'running', 'succeeded', 'unchanged' or 'failed'.
    status           TEXT    NOT NULL,
    queued_at        INTEGER NOT NULL,
    started_at       INTEGER,
    finished_at      INTEGER,
    lease_owner      TEXT,
    lease_expires_at INTEGER,
    attempts         INTEGER NOT NULL DEFAULT 0,
    progress_at      INTEGER,
    bytes_read       INTEGER NOT NULL DEFAULT 0,
    channels_seen    INTEGER NOT NULL DEFAULT 0,
    programmes_seen  INTEGER NOT NULL DEFAULT 0,
    added            INTEGER NOT NULL DEFAULT 0,
    updated          INTEGER NOT NULL DEFAULT 0,
    removed          INTEGER NOT NULL DEFAULT 0,
    rejected         INTEGER NOT NULL DEFAULT 0,
    warnings         INTEGER NOT NULL DEFAULT 0,
    -- JSON: reason -> { count, examples: [ { position, channel, start, detail } ] }.
    rejects          TEXT,
    error            TEXT
);
CREATE INDEX import_log_status ON import_log (status, id);
CREATE INDEX import_log_provider ON import_log (provider_id, id);
CREATE INDEX import_log_finished ON import_log (finished_at);

-- A run's parsed feed, written in committed batches and applied in one short transaction.
CREATE TABLE staging_channels (
    run_id              INTEGER NOT NULL,
    provider_channel_id TEXT    NOT NULL,
    data                TEXT    NOT NULL,
    PRIMARY KEY (run_id, provider_channel_id)
);

CREATE TABLE staging_programmes (
    run_id              INTEGER NOT NULL,
    seq                 INTEGER NOT NULL,
    provider_channel_id TEXT    NOT NULL,
    start               INTEGER NOT NULL,
    stop                INTEGER NOT NULL,
    title               TEXT    NOT NULL,
    sub_title           TEXT,
    description         TEXT,
    season              INTEGER,
    episode             INTEGER,
    part                INTEGER,
    data                TEXT    NOT NULL,
    -- Set when the programme loses to a duplicate or an overlapping one in the same feed.
    dropped             INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, seq)
);
CREATE INDEX staging_programmes_channel ON staging_programmes (run_id, provider_channel_id, start);

-- Scheduled jobs' state: the daily import's last local date, cleanup's last run.
CREATE TABLE job_state (
    name             TEXT PRIMARY KEY,
    last_run_key     TEXT,
    last_run_at      INTEGER,
    lease_owner      TEXT,
    lease_expires_at INTEGER
);
