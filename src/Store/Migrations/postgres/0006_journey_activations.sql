-- Which journey versions use which action (issue 10): Journey Builder's publish and stop calls of a custom activity
-- record the journey (interactionId), its version and the activity on the canvas; support asks "where is this action
-- live?". Times are unix milliseconds like the status table's.
CREATE TABLE journey_activations (
    contract               VARCHAR(32)  NOT NULL,
    journey_id             VARCHAR(256) NOT NULL,
    journey_version        VARCHAR(32)  NOT NULL,
    activity_id            VARCHAR(256) NOT NULL,
    action_name            VARCHAR(64)  NOT NULL,
    action_version         VARCHAR(64)  NOT NULL,
    journey_key            VARCHAR(256) NULL,
    original_definition_id VARCHAR(256) NULL,
    state                  VARCHAR(16)  NOT NULL,
    published_at           BIGINT       NULL,
    stopped_at             BIGINT       NULL,
    updated_at             BIGINT       NOT NULL,
    PRIMARY KEY (contract, journey_id, journey_version, activity_id)
);
CREATE INDEX ix_journey_activations_action ON journey_activations (action_name, state);
