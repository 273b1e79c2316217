-- Schema 4: a save writes two pages fewer (each costs SQLCipher an encryption and a MAC).
--
-- New records no longer pass through lookup_queue, and the record and version counters are
-- brought up to date once a batch rather than on every save: the records above the
-- `indexed_through` watermark are those whose look-up entries (and counts) wait for the next
-- batch (see desktop/store/records.py). Records already queued stay queued; the counts already
-- include every saved record, so the watermark starts at the newest one.
INSERT INTO counters (name, n) VALUES ('indexed_through', coalesce((SELECT max(id) FROM records), 0))
ON CONFLICT (name) DO UPDATE SET n = excluded.n;
