-- evidence: the WARC records of each capture, and how it was made
-- The request and response records (WARC/1.1) of a capture, in an encrypted blob: the headers
-- as sent and received, the exact bytes and the UTC capture time. Captures made before this
-- migration have none; a re-check captures them again.
ALTER TABLE evidence ADD COLUMN warc_blob_id TEXT REFERENCES blobs(id);
-- Which software captured it and how (shown in the evidence report).
ALTER TABLE evidence ADD COLUMN capture_method TEXT;
