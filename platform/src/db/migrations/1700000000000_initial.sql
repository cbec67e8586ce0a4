-- Up Migration
CREATE TABLE organisations (
  id uuid PRIMARY KEY,
  name text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Only the SHA-256 of a key is stored; `prefix` is its first characters, to recognise it in lists.
CREATE TABLE api_keys (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  key_hash bytea NOT NULL UNIQUE,
  prefix text NOT NULL,
  name text,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX api_keys_org ON api_keys (org_id);

-- Every version of a problem a submission was graded against: the package snapshot lets a
-- worker grade at the version recorded on the submission even after the package moved on.
CREATE TABLE problems (
  id text NOT NULL,
  version text NOT NULL,
  content_hash text NOT NULL,
  title text NOT NULL,
  manifest jsonb NOT NULL,
  package jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (id, version)
);

CREATE TABLE submissions (
  id uuid PRIMARY KEY,
  org_id uuid REFERENCES organisations(id) ON DELETE CASCADE,
  api_key_id uuid REFERENCES api_keys(id) ON DELETE SET NULL,
  problem_id text NOT NULL,
  problem_version text NOT NULL,
  language text NOT NULL,
  files jsonb NOT NULL,
  callback_url text,
  callback_secret text,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'completed', 'failed')),
  idempotency_scope text,
  idempotency_key text,
  request_hash text NOT NULL,
  client_address text,
  attempts integer NOT NULL DEFAULT 0,
  progress jsonb,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  FOREIGN KEY (problem_id, problem_version) REFERENCES problems(id, version),
  UNIQUE (idempotency_scope, idempotency_key)
);
CREATE INDEX submissions_org_created ON submissions (org_id, created_at DESC, id DESC);
CREATE INDEX submissions_status ON submissions (status) WHERE status IN ('queued', 'running');

-- One row per submission, ever: a re-delivered job inserts with ON CONFLICT DO NOTHING.
CREATE TABLE results (
  submission_id uuid PRIMARY KEY REFERENCES submissions(id) ON DELETE CASCADE,
  verdict text NOT NULL,
  score real NOT NULL,
  result jsonb NOT NULL,
  grading_ms integer,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE webhook_endpoints (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  url text NOT NULL,
  description text,
  -- AES-256-GCM under SECRETS_KEY: iv.tag.ciphertext, base64.
  secret_enc text NOT NULL,
  events text[] NOT NULL DEFAULT ARRAY['submission.completed', 'submission.failed'],
  enabled boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoints_org ON webhook_endpoints (org_id);

-- One message per (submission, event, target); its id is the `webhook-id` on every attempt.
CREATE TABLE webhook_deliveries (
  id uuid PRIMARY KEY,
  org_id uuid REFERENCES organisations(id) ON DELETE CASCADE,
  submission_id uuid NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
  endpoint_id uuid REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
  target text NOT NULL,
  url text NOT NULL,
  event_type text NOT NULL,
  payload jsonb NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  replays integer NOT NULL DEFAULT 0,
  last_status_code integer,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz,
  UNIQUE (submission_id, event_type, target)
);
CREATE INDEX webhook_deliveries_org_created ON webhook_deliveries (org_id, created_at DESC);

CREATE TABLE webhook_attempts (
  id bigserial PRIMARY KEY,
  delivery_id uuid NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
  attempt integer NOT NULL,
  status_code integer,
  error text,
  duration_ms integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);

-- Down Migration
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
DROP TABLE results;
DROP TABLE submissions;
DROP TABLE problems;
DROP TABLE api_keys;
DROP TABLE organisations;
