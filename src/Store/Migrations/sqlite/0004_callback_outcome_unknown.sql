-- Whether the last callback attempt may have reached the platform without an answer, as a flag instead of a prefix of
-- callback_result ("outcome unknown: …", which stays as the text support reads). Rows written before this migration
-- get the flag from that prefix, so a request waiting for its retry keeps the meaning it had (issue 9).
ALTER TABLE action_requests ADD COLUMN callback_outcome_unknown INTEGER NOT NULL DEFAULT 0;
UPDATE action_requests SET callback_outcome_unknown = 1 WHERE callback_result LIKE 'outcome unknown%';
