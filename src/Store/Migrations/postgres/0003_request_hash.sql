-- The digest of what a request is processed from, set by the first copy inserted: a later copy of the same request id
-- with other content (a resubmission with another body or callbackUrl) never claims the row (issue 8, finding 11).
ALTER TABLE action_requests ADD COLUMN request_hash TEXT;
