-- Reason codes the window says in its own language: what each event is about and why, and why
-- an unverified finding could not be checked.
-- The site (host), folder or "this computer" the event is about; NULL when it is about none.
ALTER TABLE events ADD COLUMN site TEXT;
-- Why it happened: the JSON of monitor::events::EventReason (a code with its parameters).
-- NULL for events recorded before this migration: the window then says the event by its kind.
ALTER TABLE events ADD COLUMN reason TEXT;
-- findings: why a provider's result could not be checked, as a code (the JSON of
-- search::findings::UnverifiedWhy) beside the English `unverified_reason`. NULL for findings
-- recorded before this migration: the window then shows the English sentence.
ALTER TABLE findings ADD COLUMN unverified_why TEXT;
