-- One claim-once table for every worker that acts on outbox messages
-- (emails now; Sheets rows and customer webhooks next): a row per message
-- a worker took on, keyed by the queue and the message's dedup key.
CREATE TABLE deliveries (
    queue       text NOT NULL,
    dedup_key   text NOT NULL,
    claimed_at  timestamptz NOT NULL DEFAULT now(),
    done_at     timestamptz,
    attempts    int NOT NULL DEFAULT 1,
    PRIMARY KEY (queue, dedup_key)
);

INSERT INTO deliveries (queue, dedup_key, claimed_at, done_at, attempts)
SELECT 'emails', dedup_key, claimed_at, sent_at, attempts FROM email_deliveries;

DROP TABLE email_deliveries;

-- The call's status and outcome are closed sets, as the code's enums are.
ALTER TABLE calls
    ADD CONSTRAINT calls_status_check
        CHECK (status IN ('scheduled', 'queued', 'ringing', 'in-progress', 'forwarding', 'ended')),
    ADD CONSTRAINT calls_outcome_check
        CHECK (outcome IN ('answered', 'message_taken', 'transferred', 'refused',
                           'no_conversation', 'unknown'));

ALTER TABLE calls
    ADD CONSTRAINT calls_refused_reason_check
        CHECK (refused_reason IN ('agent_paused', 'out_of_credits'));
