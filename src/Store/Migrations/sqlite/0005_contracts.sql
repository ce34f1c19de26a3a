-- One status table for every platform contract (issue 9): which contract a request came through, and the identity
-- columns the other contracts have (SFMC contact key, definition instance and activity ids; AJO profile and journey
-- version). Rows written before this migration are B2B.
ALTER TABLE action_requests ADD COLUMN contract TEXT NOT NULL DEFAULT 'ajo-b2b';
ALTER TABLE action_requests ADD COLUMN contact_key TEXT NULL;
ALTER TABLE action_requests ADD COLUMN journey_instance_id TEXT NULL;
ALTER TABLE action_requests ADD COLUMN activity_id TEXT NULL;
CREATE INDEX ix_action_requests_contact_key ON action_requests (contact_key) WHERE contact_key IS NOT NULL;
CREATE INDEX ix_action_requests_journey_instance ON action_requests (journey_instance_id) WHERE journey_instance_id IS NOT NULL;
