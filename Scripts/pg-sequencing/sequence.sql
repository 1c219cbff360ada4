BEGIN;
INSERT INTO m_seq (seq, body) SELECT nextval('s'), decode(repeat('ab', 1024), 'hex') FROM generate_series(1, 100) g;
COMMIT;
