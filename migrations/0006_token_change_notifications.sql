-- Each app process caches token lookups (src/auth/token-cache.ts) and LISTENs on the
-- `api_tokens` channel (src/auth/token-changes.ts). Triggers, rather than the code that
-- revokes, send the changes: a token revoked by the CLI, by hand in psql, by a future
-- API or by a cascade from its user leaves every cache at once. The payload is the
-- SHA-256 the cache is keyed by (never the key, which is not stored), or `*` for all.
--
-- A NOTIFY takes PostgreSQL's global notification lock at commit (see
-- src/sms/wake-up.ts): last_used_at, refreshed once a minute per token while in use,
-- is left out so that the hot path never sends one.
CREATE FUNCTION api_tokens_notify_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('api_tokens', OLD.token_hash);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER api_tokens_notify_update
AFTER UPDATE ON api_tokens
FOR EACH ROW
WHEN (to_jsonb(OLD) - 'last_used_at' IS DISTINCT FROM to_jsonb(NEW) - 'last_used_at')
EXECUTE FUNCTION api_tokens_notify_change();
--> statement-breakpoint
-- Deleting a user deletes their tokens by cascade, which runs this trigger too.
CREATE TRIGGER api_tokens_notify_delete
AFTER DELETE ON api_tokens
FOR EACH ROW
EXECUTE FUNCTION api_tokens_notify_change();
--> statement-breakpoint
CREATE FUNCTION api_tokens_notify_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('api_tokens', '*');
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- TRUNCATE users needs CASCADE, which truncates api_tokens and so runs this as well.
CREATE TRIGGER api_tokens_notify_truncate
AFTER TRUNCATE ON api_tokens
FOR EACH STATEMENT
EXECUTE FUNCTION api_tokens_notify_truncate();
--> statement-breakpoint
-- A cached lookup holds the user row as well (its email, name and role): any change
-- to a user drops the cached lookups of all their tokens.
CREATE FUNCTION users_notify_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('api_tokens', token_hash) FROM api_tokens WHERE user_id = OLD.id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER users_notify_update
AFTER UPDATE ON users
FOR EACH ROW
WHEN (OLD IS DISTINCT FROM NEW)
EXECUTE FUNCTION users_notify_change();
