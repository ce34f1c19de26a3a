-- Delivery rules (issue 12). The suppression list: one row per suppressed address, keyed by channel kind (sms, email,
-- slack, webhook) or "contact" and the normalised address (E.164 phone, lower-cased e-mail, Slack channel) or contact
-- id; every change is audited (who, when, why). Frequency caps: one row per delivery counted against a cap key, unique
-- per request so a retried delivery never counts twice; a cap counts the rows of its key inside its window.
CREATE TABLE suppressions (
    kind        VARCHAR(32) NOT NULL,
    address     VARCHAR(320) NOT NULL,
    reason      TEXT NULL,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (kind, address)
);
CREATE TABLE suppression_audit (
    id          BIGSERIAL PRIMARY KEY,
    kind        VARCHAR(32) NOT NULL,
    address     VARCHAR(320) NOT NULL,
    change      VARCHAR(32) NOT NULL,
    reason      TEXT NULL,
    changed_by  TEXT NOT NULL,
    at          BIGINT NOT NULL
);
CREATE INDEX ix_suppression_audit_address ON suppression_audit (kind, address);
CREATE TABLE delivery_caps (
    cap_key     VARCHAR(512) NOT NULL,
    request_id  VARCHAR(64) NOT NULL,
    at          BIGINT NOT NULL,
    PRIMARY KEY (cap_key, request_id)
);
CREATE INDEX ix_delivery_caps_key_at ON delivery_caps (cap_key, at);
-- The route (of the action's delivery rules) a request was delivered, suppressed or capped on.
ALTER TABLE action_requests ADD COLUMN route VARCHAR(64) NULL;
