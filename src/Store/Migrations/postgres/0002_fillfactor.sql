-- Room on each page for the row's next version. A request row is updated three or four times in its first second
-- (claim, delivered, called back); with free space on its page and no indexed column changed (the "delivered" update
-- keeps status = 'Processing'), PostgreSQL writes a heap-only tuple and touches none of the seven indexes.
-- Affects pages written from now on; VACUUM FULL or CLUSTER applies it to existing ones.
ALTER TABLE action_requests SET (fillfactor = 70);
