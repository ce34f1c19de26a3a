-- Status table. Times are unix milliseconds (UTC) in every provider, so ordering and paging SQL is the same.
CREATE TABLE action_requests (
    request_id           VARCHAR(64) NOT NULL PRIMARY KEY,
    action_name          TEXT    NOT NULL,
    action_version       TEXT    NOT NULL,
    entity_type          TEXT    NOT NULL,
    lead_id              TEXT    NULL,
    account_id           TEXT    NULL,
    person_ids           TEXT    NULL,
    journey_id           TEXT    NULL,
    journey_name         TEXT    NULL,
    ims_org_id           TEXT    NULL,
    munchkin_id          TEXT    NULL,
    received_at          BIGINT  NOT NULL,
    deadline_at          BIGINT  NOT NULL,
    request_payload      TEXT    NULL,
    status               TEXT    NOT NULL,
    outcome              TEXT    NULL,
    attempt_count        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at      BIGINT  NULL,
    lease_owner          TEXT    NULL,
    lease_until          BIGINT  NULL,
    delivered_at         BIGINT  NULL,
    delivery_status_code INTEGER NULL,
    delivery_duration_ms INTEGER NULL,
    accessor_values      TEXT    NULL,
    accessor_rejections  TEXT    NULL,
    selected_path_id     TEXT    NULL,
    callback_status_code INTEGER NULL,
    callback_result      TEXT    NULL,
    callback_body        TEXT    NULL,
    last_error           TEXT    NULL,
    created_at           BIGINT  NOT NULL,
    updated_at           BIGINT  NOT NULL
);
CREATE INDEX ix_action_requests_received ON action_requests (received_at, request_id);
CREATE INDEX ix_action_requests_status ON action_requests (status, received_at);
CREATE INDEX ix_action_requests_action ON action_requests (action_name, received_at);
CREATE INDEX ix_action_requests_lead ON action_requests (lead_id);
CREATE INDEX ix_action_requests_account ON action_requests (account_id);
CREATE INDEX ix_action_requests_journey ON action_requests (journey_id, received_at);
CREATE TABLE action_request_transitions (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id  TEXT    NOT NULL,
    from_status TEXT    NULL,
    to_status   TEXT    NOT NULL,
    at          BIGINT  NOT NULL,
    detail      TEXT    NULL
);
CREATE INDEX ix_action_request_transitions_request ON action_request_transitions (request_id, id);
