-- Whether the last callback attempt may have reached the platform without an answer, as a flag instead of a prefix of
-- callback_result ("outcome unknown: …", which stays as the text support reads). Rows written before this migration
-- get the flag from that prefix, so a request waiting for its retry keeps the meaning it had (issue 9).
ALTER TABLE action_requests ADD callback_outcome_unknown BIT NOT NULL CONSTRAINT df_action_requests_callback_outcome_unknown DEFAULT 0;
-- In its own batch: SQL Server compiles a batch before running it, and the column does not exist yet at that point.
EXEC (N'UPDATE action_requests SET callback_outcome_unknown = 1 WHERE callback_result LIKE N''outcome unknown%''');
