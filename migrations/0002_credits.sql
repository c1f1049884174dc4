-- Credits: packs, the append-only ledger, purchases through Stripe Checkout,
-- received Stripe events, and balance signals.
--
-- Amounts are integer seconds of talk time (1 credit = 1 minute = 60 s) and
-- integer cents.

CREATE TABLE credit_packs (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
    seconds     bigint NOT NULL CHECK (seconds > 0 AND seconds <= 100000000),
    price_cents bigint NOT NULL CHECK (price_cents > 0 AND price_cents <= 100000000),
    currency    text NOT NULL DEFAULT 'usd' CHECK (currency ~ '^[a-z]{3}$'),
    active      boolean NOT NULL DEFAULT true,
    sort        int NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

INSERT INTO credit_packs (name, seconds, price_cents, sort) VALUES
    ('Starter', 100 * 60, 2500, 1),
    ('Growth', 500 * 60, 10000, 2),
    ('Pro', 1500 * 60, 27000, 3);

ALTER TABLE accounts
    ADD COLUMN balance_seconds bigint NOT NULL DEFAULT 0,
    -- How far below zero calls may go; NULL = the default (15 minutes).
    ADD COLUMN overage_limit_seconds bigint CHECK (overage_limit_seconds >= 0),
    -- When the balance last went below zero (NULL while it is not).
    ADD COLUMN overdrawn_since timestamptz,
    -- Seconds of the last pack bought: the "low" threshold is 20% of it.
    ADD COLUMN last_pack_seconds bigint,
    -- The last balance signal recorded (ok, low, zero, grace, blocked).
    ADD COLUMN credit_signal text NOT NULL DEFAULT 'ok';

-- The database refuses a balance below the allowed overage, except inside a
-- transaction that declared an explicit admin adjustment
-- (SET LOCAL kametrix.admin_adjustment = 'on').
CREATE FUNCTION accounts_enforce_overage() RETURNS trigger AS $$
BEGIN
    IF NEW.balance_seconds < -coalesce(NEW.overage_limit_seconds, 900)
       AND NEW.balance_seconds < OLD.balance_seconds
       AND coalesce(current_setting('kametrix.admin_adjustment', true), '') <> 'on' THEN
        RAISE EXCEPTION 'balance % below the allowed overage of account %', NEW.balance_seconds, NEW.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'accounts_overage_limit';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER accounts_overage_limit BEFORE UPDATE OF balance_seconds ON accounts
    FOR EACH ROW EXECUTE FUNCTION accounts_enforce_overage();

CREATE TABLE purchases (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id           uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    pack_id              uuid NOT NULL REFERENCES credit_packs(id),
    pack_name            text NOT NULL,
    seconds              bigint NOT NULL CHECK (seconds > 0),
    price_cents          bigint NOT NULL CHECK (price_cents > 0),
    currency             text NOT NULL,
    status               text NOT NULL DEFAULT 'pending'
                         CHECK (status IN ('pending', 'paid', 'failed', 'expired')),
    stripe_session_id    text UNIQUE,
    payment_intent       text UNIQUE,
    amount_refunded_cents bigint NOT NULL DEFAULT 0,
    seconds_clawed_back  bigint NOT NULL DEFAULT 0,
    disputed_at          timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    paid_at              timestamptz
);
CREATE INDEX purchases_account_idx ON purchases (account_id, created_at DESC);

CREATE TABLE ledger_entries (
    id               bigserial PRIMARY KEY,
    account_id       uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    kind             text NOT NULL CHECK (kind IN ('signup_grant', 'purchase', 'call', 'number_rental',
                                                   'refund', 'dispute', 'admin_adjustment')),
    amount_seconds   bigint NOT NULL,
    balance_after    bigint NOT NULL,
    -- Unique per cause: the same cause never moves the balance twice.
    idempotency_key  text NOT NULL UNIQUE,
    description      text NOT NULL,
    purchase_id      uuid REFERENCES purchases(id),
    stripe_event_id  text,
    call_id          text,
    admin_user_id    uuid REFERENCES users(id),
    reason           text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (kind <> 'admin_adjustment' OR (admin_user_id IS NOT NULL AND length(reason) > 0))
);
CREATE INDEX ledger_account_idx ON ledger_entries (account_id, id DESC);

-- Every Stripe event received, once (its id), with what was done.
CREATE TABLE stripe_events (
    id           text PRIMARY KEY,
    type         text NOT NULL,
    payload      jsonb NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    outcome      text NOT NULL
);

-- Balance signals: entering (and leaving) low, zero, grace and blocked.
CREATE TABLE account_events (
    id               bigserial PRIMARY KEY,
    account_id       uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    kind             text NOT NULL CHECK (kind IN ('ok', 'low', 'zero', 'grace', 'blocked')),
    balance_seconds  bigint NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX account_events_idx ON account_events (account_id, id DESC);
