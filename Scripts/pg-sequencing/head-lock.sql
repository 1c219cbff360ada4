BEGIN;
SELECT seq FROM head WHERE id = 1 FOR UPDATE \gset
INSERT INTO m_lock SELECT :seq + g, decode(repeat('ab', 1024), 'hex') FROM generate_series(1, 100) g;
UPDATE head SET seq = :seq + 100 WHERE id = 1;
COMMIT;
