-- Delivery rules (issue 12). The suppression list: one row per suppressed address, keyed by channel kind (sms, email,
-- slack, webhook) or "contact" and the normalised address (E.164 phone, lower-cased e-mail, Slack channel) or contact
-- id; every change is audited (who, when, why). Frequency caps: one row per delivery counted against a cap key, unique
-- per request so a retried delivery never counts twice; a cap counts the rows of its key inside its window.
CREATE TABLE suppressions (
    kind        NVARCHAR(32) NOT NULL,
    address     NVARCHAR(320) NOT NULL,
    reason      NVARCHAR(MAX) NULL,
    created_by  NVARCHAR(MAX) NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (kind, address)
);
CREATE TABLE suppression_audit (
    id          BIGINT IDENTITY(1,1) PRIMARY KEY,
    kind        NVARCHAR(32) NOT NULL,
    address     NVARCHAR(320) NOT NULL,
    change      NVARCHAR(32) NOT NULL,
    reason      NVARCHAR(MAX) NULL,
    changed_by  NVARCHAR(MAX) NOT NULL,
    at          BIGINT NOT NULL
);
CREATE INDEX ix_suppression_audit_address ON suppression_audit (kind, address);
CREATE TABLE delivery_caps (
    cap_key     NVARCHAR(450) NOT NULL,
    request_id  NVARCHAR(64) NOT NULL,
    at          BIGINT NOT NULL,
    PRIMARY KEY (cap_key, request_id)
);
CREATE INDEX ix_delivery_caps_key_at ON delivery_caps (cap_key, at);
-- The route (of the action's delivery rules) a request was delivered, suppressed or capped on.
ALTER TABLE action_requests ADD route NVARCHAR(64) NULL;
