-- One status table for every platform contract (issue 9): which contract a request came through, and the identity
-- columns the other contracts have (SFMC contact key, definition instance and activity ids; AJO profile and journey
-- version). Rows written before this migration are B2B.
ALTER TABLE action_requests ADD contract NVARCHAR(32) NOT NULL CONSTRAINT df_action_requests_contract DEFAULT N'ajo-b2b';
ALTER TABLE action_requests ADD contact_key NVARCHAR(256) NULL;
ALTER TABLE action_requests ADD journey_instance_id NVARCHAR(256) NULL;
ALTER TABLE action_requests ADD activity_id NVARCHAR(256) NULL;
-- In their own batches: SQL Server compiles a batch before running it, and the columns do not exist yet at that point.
EXEC (N'CREATE INDEX ix_action_requests_contact_key ON action_requests (contact_key) WHERE contact_key IS NOT NULL');
EXEC (N'CREATE INDEX ix_action_requests_journey_instance ON action_requests (journey_instance_id) WHERE journey_instance_id IS NOT NULL');
