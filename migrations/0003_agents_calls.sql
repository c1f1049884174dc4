-- Agents and their business profiles, the searchable knowledge derived from
-- them, the phone number pool, calls and the messages callers leave.

CREATE TABLE agents (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id   uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    template     text NOT NULL,
    status       text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused')),
    voice_id     text NOT NULL,
    greeting     text NOT NULL,
    language     text NOT NULL,
    instructions text NOT NULL DEFAULT '',
    tools        text[] NOT NULL DEFAULT '{}',
    -- shared::api::BusinessProfile, validated by the agents service.
    profile      jsonb NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    -- Deleted agents keep their call history.
    deleted_at   timestamptz
);
CREATE INDEX agents_account_idx ON agents (account_id, created_at) WHERE deleted_at IS NULL;

-- What lookup_business_info and knowledge-base-request search: one row per
-- fact of the profile (an FAQ, a service, the hours…), rebuilt on each save.
CREATE TABLE agent_knowledge (
    id        bigserial PRIMARY KEY,
    agent_id  uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    kind      text NOT NULL,
    title     text NOT NULL,
    body      text NOT NULL,
    -- The title weighs more than the body.
    search    tsvector GENERATED ALWAYS AS (
                  setweight(to_tsvector('english', title), 'A') ||
                  setweight(to_tsvector('english', body), 'B')) STORED
);
CREATE INDEX agent_knowledge_agent_idx ON agent_knowledge (agent_id);
CREATE INDEX agent_knowledge_search_idx ON agent_knowledge USING gin (search);

-- The Kametrix pool of numbers, provisioned through Vapi without an
-- assistant so that Vapi asks us with assistant-request.
CREATE TABLE phone_numbers (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    vapi_id      text NOT NULL UNIQUE,
    number       text NOT NULL UNIQUE,
    area_code    text NOT NULL,
    status       text NOT NULL CHECK (status IN ('activating', 'active', 'blocked')),
    account_id   uuid REFERENCES accounts(id) ON DELETE SET NULL,
    agent_id     uuid UNIQUE REFERENCES agents(id) ON DELETE SET NULL,
    assigned_at  timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CHECK ((agent_id IS NULL) = (account_id IS NULL))
);
CREATE INDEX phone_numbers_free_idx ON phone_numbers (area_code, created_at) WHERE agent_id IS NULL;

-- One row per Vapi call, upserted by whichever message arrives first.
CREATE TABLE calls (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    vapi_call_id     text NOT NULL UNIQUE,
    account_id       uuid REFERENCES accounts(id) ON DELETE CASCADE,
    agent_id         uuid REFERENCES agents(id) ON DELETE SET NULL,
    phone_number_id  uuid REFERENCES phone_numbers(id) ON DELETE SET NULL,
    vapi_phone_number_id text,
    caller           text,
    status           text NOT NULL DEFAULT 'ringing',
    -- answered, message_taken, transferred, refused, no_conversation, unknown
    outcome          text NOT NULL DEFAULT 'unknown',
    -- Set when assistant-request refused the call (blocked, paused, unknown).
    refused_reason   text,
    started_at       timestamptz,
    ended_at         timestamptz,
    ended_reason     text,
    transcript       text,
    messages         jsonb,
    recording_url    text,
    summary          text,
    structured_data  jsonb,
    -- Vapi's cost in millionths of a USD (our cost of goods).
    vapi_cost_micros bigint,
    duration_ms      bigint,
    billed_seconds   bigint NOT NULL DEFAULT 0,
    charged_seconds  bigint NOT NULL DEFAULT 0,
    report_at        timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX calls_account_idx ON calls (account_id, created_at DESC);
CREATE INDEX calls_agent_idx ON calls (agent_id, created_at DESC);

-- Messages callers leave through take_message; one per tool call.
CREATE TABLE caller_messages (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id     uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    agent_id       uuid REFERENCES agents(id) ON DELETE SET NULL,
    vapi_call_id   text,
    -- "<vapi call id>:<tool call id>": a redelivered tool call adds nothing.
    dedup_key      text NOT NULL UNIQUE,
    caller_name    text NOT NULL,
    caller_number  text NOT NULL,
    reason         text NOT NULL,
    urgency        text NOT NULL CHECK (urgency IN ('low', 'normal', 'urgent')),
    handled_at     timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX caller_messages_account_idx ON caller_messages (account_id, created_at DESC);
