//! # The Vapi sandbox (`infra/vapi-sandbox`, binary `vapi-sandbox`)
//!
//! A local stand-in for Vapi, which cannot be reached from here. It speaks
//! Vapi's real wire formats (see `shared/reference/vapi.md`): the REST API
//! Kametrix calls, and simulated inbound calls that send the real server
//! messages to Kametrix's webhook.
//!
//! ```sh
//! vapi-sandbox --server-url http://127.0.0.1:8080/api/webhooks/vapi --auth hmac
//! ```
//!
//! | flag | env var | default |
//! | --- | --- | --- |
//! | `--port P` (0: any free port; binds 127.0.0.1 only) | `VAPI_SANDBOX_PORT` | 12112 |
//! | `--public-url URL` | `VAPI_SANDBOX_PUBLIC_URL` | `http://127.0.0.1:<port>` |
//! | `--api-key KEY` (private key, `Authorization: Bearer …`) | `VAPI_SANDBOX_API_KEY` | `vapi_sandbox_private_key` |
//! | `--public-key KEY` (only valid for `POST /call/web`) | `VAPI_SANDBOX_PUBLIC_KEY` | `vapi_sandbox_public_key` |
//! | `--server-url URL` (org-level server URL) | `VAPI_SANDBOX_SERVER_URL` | none |
//! | `--auth secret\|bearer\|hmac\|none` | `VAPI_SANDBOX_AUTH` | `secret` |
//! | `--webhook-secret S` | `VAPI_SANDBOX_WEBHOOK_SECRET` | `vapi_sandbox_webhook_secret` |
//! | `--activation-ms MS` (how long a `provider: vapi` number is `activating`) | `VAPI_SANDBOX_ACTIVATION_MS` | 1500 |
//!
//! Delivery authentication (`--auth`): `secret` sends `X-Vapi-Secret: <secret>`;
//! `bearer` sends `Authorization: Bearer <secret>`; `hmac` sends
//! `x-vapi-timestamp: <epoch ms>` and `x-vapi-signature: <lowercase hex
//! HMAC-SHA256(secret, "{timestamp}.{raw body}")>` ([`sign::sign`]); `none`
//! sends nothing. Static `server.headers` are added on top.
//!
//! ## REST API (Vapi's)
//!
//! `Authorization: Bearer <api-key>`; otherwise 401
//! `{"message":"Invalid Key. Hot tip, …","error":"Unauthorized","statusCode":401}`.
//! Validation errors are 400 `{"message":[…],"error":"Bad Request","statusCode":400}`
//! (unknown properties: `"property X should not exist"`); unknown ids 404.
//! Create is 201, get/patch/delete 200 (delete returns the deleted object);
//! PATCH replaces nested objects whole (`null` removes a property).
//!
//! - `POST|GET /assistant` (`?limit=`), `GET|PATCH|DELETE /assistant/{id}`
//! - `POST|GET /tool`, `GET|PATCH|DELETE /tool/{id}` (`function.name` must match `^[a-zA-Z0-9_-]{1,64}$`)
//! - `POST|GET /phone-number`, `GET /v2/phone-number` (`{results, metadata}`),
//!   `GET|PATCH|DELETE /phone-number/{id}`. `provider: "vapi"` allocates
//!   `+1<numberDesiredAreaCode, default 415>555xxxx`, `activating` for
//!   `--activation-ms`, then `active`; `provider: "twilio"` imports need
//!   `number`, `twilioAccountSid` and `twilioAuthToken` (or
//!   `twilioApiKey` + `twilioApiSecret`) and are active at once. At most 100
//!   numbers.
//! - `GET /call` (`assistantId`, `phoneNumberId`, `id`, `limit`), `GET /call/{id}`,
//!   `POST /call/web` (private or public key; `assistantId` or `assistant`;
//!   201 with a `webCall`, `status: queued`, `webCallUrl` = `transport.callUrl`
//!   = `<public-url>/_sandbox/web/<id>`; no audio is simulated).
//!
//! ## Simulated calls
//!
//! A call to a sandbox number sends, in order: `assistant-request` (only if
//! the number has no `assistantId`; 7.5 s limit) → `status-update` ringing →
//! `status-update` in-progress → the conversation (`conversation-update`
//! after every turn, `tool-calls` for each tool use, one `hang` if a tool
//! answers after 2 s) → `status-update` ended → `end-of-call-report`.
//! Messages go to `tool.server.url` (tool-calls only) > `assistant.server.url` >
//! `phoneNumber.server.url` > `--server-url`; optional types follow
//! `assistant.serverMessages` (Vapi's default list when unset; realtime
//! events such as `speech-update` and `transcript` are not simulated).
//!
//! The assistant-request answer decides: `{"assistant":{…}}` or
//! `{"assistantId":"…"}` (with optional `assistantOverrides`, whose
//! `variableValues` fill `{{placeholders}}`) → conversation;
//! `{"error":"…"}` → the caller hears it, `assistant-request-returned-error`;
//! `{"destination":{"type":"number","number","message"}}` →
//! `assistant-forwarded-call`; non-2xx, non-JSON or timeout →
//! `assistant-request-failed`; an invalid assistant →
//! `assistant-request-returned-invalid-assistant`.
//!
//! Tools must be `function` tools in `model.tools` or `model.toolIds`
//! (otherwise the bot says "I'm sorry, I can't help with that right now.").
//! Answers must be HTTP 200 `{"results":[{"toolCallId":<exact id>,
//! "result"|"error": <one-line string>}]}` (a `name`, if given, must match);
//! anything else is recorded as a problem ("no result returned") and the bot
//! says "Sorry, I couldn't find that." (or the tool's `request-failed`
//! message). A `result` is spoken verbatim (or the result's
//! `message.content`); an `error` as "Sorry, I couldn't do that: <error>".
//!
//! Scenarios: `opening_hours` (tool `lookup_business_info`
//! `{"query":"opening hours"}`, 45 s), `faq` (`lookup_business_info`
//! `{"query":<question>}`, 50 s), `message` (`take_message` `{caller_name,
//! caller_number, reason, urgency}`, 70 s), `hangup_5s` (5 s), `silence`
//! (`silence-timed-out`, 30 s); the others end `customer-ended-call`.
//! Time is virtual: `endedAt` = `startedAt` + duration, and a call takes as
//! long as the server's answers. Cost = 0.05 + 0.07 × minutes.
//! `analysis.summary` unless `summaryPlan.enabled` is false;
//! `analysis.structuredData.outcome` (answered / message_taken /
//! no_conversation) if `structuredDataPlan.schema.properties.outcome` allows
//! it; recordings unless `artifactPlan.recordingEnabled` is false.
//!
//! ## Controls (`/_sandbox`, no auth)
//!
//! - `GET /_sandbox/health` → `{"ok":true}`.
//! - `POST /_sandbox/calls` `{"number":"+1415555…"}` or `{"phone_number_id":"…"}`,
//!   plus `scenario` (default `opening_hours`), `wait` (default true) and
//!   knobs: `caller` (default `+14155550123`), `duration_seconds`,
//!   `duplicates` (status-update ended and end-of-call-report n times),
//!   `concurrent_duplicates`, `reorder` (report before status-update ended,
//!   then in-progress again), `legacy` (top-level summary/transcript/
//!   messages/recordingUrl/stereoRecordingUrl/durationSeconds; no
//!   startedAt/endedAt/analysis/artifact.transcript), `arguments_as_string`,
//!   `question`, `caller_name`, `reason`, `urgency`. → 200 with the finished
//!   record (202 at once with `"wait": false`); 404 unknown number, 409 number
//!   still activating, 400 bad scenario or knob (`{"error": "…"}`).
//! - Record: `{id, phone_number_id, number, caller, scenario, status
//!   (ringing|in-progress|ended), ended_reason, created_at, started_at,
//!   ended_at, assistant, turns:[{role: bot|user|tool, text}],
//!   deliveries:[{type, url, status, ms, response, problem}], problems:[…]}`.
//! - `GET /_sandbox/calls` (newest first), `GET /_sandbox/calls/{id}`,
//!   `GET /_sandbox/calls/{id}/view` (live HTML view, refreshes until ended).
//! - `GET /_sandbox[?number=%2B1415…]`: numbers with a "Call this number"
//!   form (the given number first), recent calls. The form posts
//!   `number`, `scenario`, `question` to `POST /_sandbox/dial` → 303 to the
//!   live view.
//! - `POST /_sandbox/numbers/{id}/activate`: active at once.
//! - `GET /_sandbox/recordings/<call>-<kind>.wav`: a second of silence.

mod api;
mod app;
mod call;
mod controls;
mod html;
pub mod sign;
mod sim;
mod util;
pub mod validate;

pub use app::{
    serve, AuthMode, Config, DEFAULT_ACTIVATION_MS, DEFAULT_API_KEY, DEFAULT_PORT,
    DEFAULT_PUBLIC_KEY, DEFAULT_WEBHOOK_SECRET, MAX_NUMBERS,
};
pub use sign::sign;
pub use sim::{Scenario, CANT_HELP, DEFAULT_SERVER_MESSAGES, NO_RESULT};
