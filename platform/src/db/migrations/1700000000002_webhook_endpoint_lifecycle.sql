-- Up Migration
-- Endpoints are updated, disabled and enabled, rotate their secret (the previous one still signs until
-- previous_secret_expires_at), and are deleted softly so their delivery log stays. failing_since is the
-- first failed attempt since the last success: an endpoint failing for WEBHOOK_DISABLE_AFTER_S is disabled.
ALTER TABLE webhook_endpoints
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN previous_secret_enc text,
  ADD COLUMN previous_secret_expires_at timestamptz,
  ADD COLUMN failing_since timestamptz,
  ADD COLUMN disabled_at timestamptz,
  ADD COLUMN disabled_reason text,
  ADD COLUMN deleted_at timestamptz;

-- What happened to an endpoint and who did it: created, updated, disabled, enabled, secret_rotated, auto_disabled, deleted.
CREATE TABLE webhook_endpoint_history (
  id bigserial PRIMARY KEY,
  endpoint_id uuid NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
  action text NOT NULL,
  detail text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoint_history_endpoint ON webhook_endpoint_history (endpoint_id, id);

-- Down Migration
DROP TABLE webhook_endpoint_history;
ALTER TABLE webhook_endpoints
  DROP COLUMN updated_at,
  DROP COLUMN previous_secret_enc,
  DROP COLUMN previous_secret_expires_at,
  DROP COLUMN failing_since,
  DROP COLUMN disabled_at,
  DROP COLUMN disabled_reason,
  DROP COLUMN deleted_at;
