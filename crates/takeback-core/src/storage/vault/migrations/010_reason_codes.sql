-- events: what each event is about and why, so the window can say both in its own language.
-- The site (host), folder or "this computer" the event is about; NULL when it is about none.
ALTER TABLE events ADD COLUMN site TEXT;
-- Why it happened: the JSON of monitor::events::EventReason (a code with its parameters).
-- NULL for events recorded before this migration: the window then says the event by its kind.
ALTER TABLE events ADD COLUMN reason TEXT;
