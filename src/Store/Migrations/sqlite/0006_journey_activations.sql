-- Which journey versions use which action (issue 10): Journey Builder's publish and stop calls of a custom activity
-- record the journey (interactionId), its version and the activity on the canvas; support asks "where is this action
-- live?". Times are unix milliseconds like the status table's.
CREATE TABLE journey_activations (
    contract               TEXT  NOT NULL,
    journey_id             TEXT NOT NULL,
    journey_version        TEXT  NOT NULL,
    activity_id            TEXT NOT NULL,
    action_name            TEXT  NOT NULL,
    action_version         TEXT  NOT NULL,
    journey_key            TEXT NULL,
    original_definition_id TEXT NULL,
    state                  TEXT  NOT NULL,
    published_at           INTEGER       NULL,
    stopped_at             INTEGER       NULL,
    updated_at             INTEGER       NOT NULL,
    PRIMARY KEY (contract, journey_id, journey_version, activity_id)
);
CREATE INDEX ix_journey_activations_action ON journey_activations (action_name, state);
