-- Status table. Times are unix milliseconds (UTC) in every provider (BIGINT), so ordering and paging SQL is the same.
CREATE TABLE action_requests (
    request_id           NVARCHAR(64) NOT NULL PRIMARY KEY,
    action_name          NVARCHAR(128) NOT NULL,
    action_version       NVARCHAR(64) NOT NULL,
    entity_type          NVARCHAR(32) NOT NULL,
    lead_id              NVARCHAR(64) NULL,
    account_id           NVARCHAR(64) NULL,
    person_ids           NVARCHAR(MAX) NULL,
    journey_id           NVARCHAR(256) NULL,
    journey_name         NVARCHAR(512) NULL,
    ims_org_id           NVARCHAR(256) NULL,
    munchkin_id          NVARCHAR(64) NULL,
    received_at          BIGINT NOT NULL,
    deadline_at          BIGINT NOT NULL,
    request_payload      NVARCHAR(MAX) NULL,
    status               NVARCHAR(32) NOT NULL,
    outcome              NVARCHAR(32) NULL,
    attempt_count        INT NOT NULL DEFAULT 0,
    next_attempt_at      BIGINT NULL,
    lease_owner          NVARCHAR(256) NULL,
    lease_until          BIGINT NULL,
    delivered_at         BIGINT NULL,
    delivery_status_code INT NULL,
    delivery_duration_ms INT NULL,
    accessor_values      NVARCHAR(MAX) NULL,
    accessor_rejections  NVARCHAR(MAX) NULL,
    selected_path_id     NVARCHAR(MAX) NULL,
    callback_status_code INT NULL,
    callback_result      NVARCHAR(MAX) NULL,
    callback_body        NVARCHAR(MAX) NULL,
    last_error           NVARCHAR(MAX) NULL,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL
);
CREATE INDEX ix_action_requests_received ON action_requests (received_at, request_id);
CREATE INDEX ix_action_requests_status ON action_requests (status, received_at);
CREATE INDEX ix_action_requests_action ON action_requests (action_name, received_at);
CREATE INDEX ix_action_requests_lead ON action_requests (lead_id);
CREATE INDEX ix_action_requests_account ON action_requests (account_id);
CREATE INDEX ix_action_requests_journey ON action_requests (journey_id, received_at);
CREATE TABLE action_request_transitions (
    id          BIGINT IDENTITY(1,1) NOT NULL PRIMARY KEY,
    request_id  NVARCHAR(64) NOT NULL,
    from_status NVARCHAR(32) NULL,
    to_status   NVARCHAR(32) NOT NULL,
    at          BIGINT NOT NULL,
    detail      NVARCHAR(MAX) NULL
);
CREATE INDEX ix_action_request_transitions_request ON action_request_transitions (request_id, id);
