//! The Vapi sandbox end to end, in-process: the sandbox on a free port and a
//! fake Kametrix webhook ("the product") that answers assistant-request and
//! tool-calls and records every message with its headers.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use kmx_vapi_sandbox::{AuthMode, Config, DEFAULT_API_KEY, DEFAULT_PUBLIC_KEY};
use serde_json::{json, Value};
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;

const SECRET: &str = "test_webhook_secret";
const OPEN: &str = "We're open 9 to 5, Monday to Friday.";

// ------------------------------------------------------------------ the product

#[derive(Clone, Debug)]
struct Got {
    path: String,
    headers: Vec<(String, String)>,
    raw: Vec<u8>,
    msg: Value,
}

impl Got {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn kind(&self) -> String {
        let t = self.msg["type"].as_str().unwrap_or_default();
        match self.msg["status"].as_str() {
            Some(s) if t == "status-update" => format!("{t}:{s}"),
            _ => t.to_string(),
        }
    }
}

/// (status, body, delay in ms) for a message received on a path.
type Handler = Arc<dyn Fn(&str, &Value) -> (u16, Value, u64) + Send + Sync>;

struct Product {
    url: String,
    got: Mutex<Vec<Got>>,
}

impl Product {
    fn all(&self) -> Vec<Got> {
        self.got.lock().unwrap().clone()
    }
    fn kinds(&self) -> Vec<String> {
        self.all().iter().map(Got::kind).collect()
    }
    fn of(&self, kind: &str) -> Vec<Got> {
        self.all()
            .into_iter()
            .filter(|g| g.kind() == kind)
            .collect()
    }
}

fn assistant() -> Value {
    json!({
        "name": "Acme receptionist",
        "firstMessage": "Thanks for calling Acme Plumbing, how can I help?",
        "model": {"provider": "openai", "model": "gpt-4o-mini",
            "messages": [{"role": "system", "content": "You are the receptionist of Acme Plumbing."}],
            "tools": [{"type": "function", "function": {"name": "lookup_business_info",
                "description": "Business facts",
                "parameters": {"type": "object", "properties": {"query": {"type": "string"}}}}}]},
        "analysisPlan": {"structuredDataPlan": {"enabled": true, "schema": {"type": "object",
            "properties": {"outcome": {"type": "string",
                "enum": ["answered", "message_taken", "no_conversation"]}}}}}
    })
}

/// Answers assistant-request with `assistant()` and every tool call with OPEN.
fn normal(_path: &str, m: &Value) -> (u16, Value, u64) {
    match m["type"].as_str() {
        Some("assistant-request") => (200, json!({ "assistant": assistant() }), 0),
        Some("tool-calls") => (200, results(m, |_| json!({"result": OPEN})), 0),
        _ => (200, json!({}), 0),
    }
}

fn results(m: &Value, f: impl Fn(&Value) -> Value) -> Value {
    let list: Vec<Value> = m["toolCallList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|tc| {
            let mut r = f(tc);
            r["toolCallId"] = tc["id"].clone();
            r
        })
        .collect();
    json!({ "results": list })
}

fn h(f: impl Fn(&str, &Value) -> (u16, Value, u64) + Send + Sync + 'static) -> Handler {
    Arc::new(f)
}

async fn product(handler: Handler) -> Arc<Product> {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let p = Arc::new(Product {
        url: format!("http://{}/api/vapi/webhook", l.local_addr().unwrap()),
        got: Mutex::new(Vec::new()),
    });
    let p2 = p.clone();
    tokio::spawn(async move {
        loop {
            let (s, _) = l.accept().await.unwrap();
            let p = p2.clone();
            let handler = handler.clone();
            tokio::spawn(async move {
                let svc = service_fn(move |req: Request<hyper::body::Incoming>| {
                    let p = p.clone();
                    let handler = handler.clone();
                    async move {
                        let path = req.uri().path().to_string();
                        let headers = req
                            .headers()
                            .iter()
                            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
                            .collect();
                        let raw = req.into_body().collect().await.unwrap().to_bytes().to_vec();
                        let body: Value = serde_json::from_slice(&raw).unwrap();
                        let msg = body["message"].clone();
                        p.got.lock().unwrap().push(Got {
                            path: path.clone(),
                            headers,
                            raw,
                            msg: msg.clone(),
                        });
                        let (status, answer, delay) = handler(&path, &msg);
                        if delay > 0 {
                            tokio::time::sleep(Duration::from_millis(delay)).await;
                        }
                        let mut r = Response::new(Full::new(Bytes::from(answer.to_string())));
                        *r.status_mut() = hyper::StatusCode::from_u16(status).unwrap();
                        r.headers_mut()
                            .insert("content-type", "application/json".parse().unwrap());
                        Ok::<_, Infallible>(r)
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(s), svc)
                    .await;
            });
        }
    });
    p
}

// ------------------------------------------------------------------ the sandbox

struct Sandbox {
    base: String,
    http: reqwest::Client,
}

async fn sandbox(tweak: impl FnOnce(&mut Config)) -> Sandbox {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", l.local_addr().unwrap());
    let mut cfg = Config::new(base.clone());
    cfg.webhook_secret = SECRET.into();
    cfg.activation = Duration::ZERO;
    tweak(&mut cfg);
    tokio::spawn(kmx_vapi_sandbox::serve(l, cfg));
    let http = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    Sandbox { base, http }
}

impl Sandbox {
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        key: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut r = self.http.request(method, format!("{}{path}", self.base));
        if let Some(k) = key {
            r = r.bearer_auth(k);
        }
        if let Some(b) = body {
            r = r.json(&b);
        }
        let resp = r.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }
    async fn api(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        self.send(m, path, Some(DEFAULT_API_KEY), body).await
    }
    async fn number(&self, extra: Value) -> Value {
        let mut body = json!({"provider": "vapi", "name": "Acme main"});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (s, n) = self.api("POST", "/phone-number", Some(body)).await;
        assert_eq!(s, 201, "{n}");
        n
    }
    async fn call(&self, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, "/_sandbox/calls", None, Some(body))
            .await
    }
    async fn page(&self, path: &str) -> (u16, String) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }
}

/// A sandbox + product pair with a number whose server is the product.
async fn setup(
    auth: AuthMode,
    handler: Handler,
    tweak: impl FnOnce(&mut Config),
) -> (Sandbox, Arc<Product>, String) {
    let p = product(handler).await;
    let sb = sandbox(|c| {
        c.auth = auth;
        tweak(c);
    })
    .await;
    let n = sb.number(json!({"server": {"url": p.url}})).await;
    (sb, p, n["number"].as_str().unwrap().to_string())
}

fn hmac_hex(secret: &str, ts: &str, body: &[u8]) -> String {
    use hmac::{Hmac, KeyInit, Mac};
    let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{ts}.").as_bytes());
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

fn ms(iso: &Value) -> i64 {
    chrono::DateTime::parse_from_rfc3339(iso.as_str().unwrap())
        .unwrap()
        .timestamp_millis()
}

fn turns(record: &Value) -> Vec<(String, String)> {
    record["turns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["role"].as_str().unwrap().to_string(),
                t["text"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

// ------------------------------------------------------------------ REST API

#[tokio::test]
async fn rest_api_needs_the_private_key_and_answers_like_nestjs() {
    let sb = sandbox(|_| {}).await;
    let (s, body) = sb
        .send(reqwest::Method::GET, "/assistant", None, None)
        .await;
    assert_eq!(s, 401);
    assert_eq!(
        body,
        json!({"message": "Invalid Key. Hot tip, you may be using the private key instead of the public key, or vice versa.",
               "error": "Unauthorized", "statusCode": 401})
    );
    let (s, _) = sb
        .send(
            reqwest::Method::POST,
            "/assistant",
            Some(DEFAULT_PUBLIC_KEY),
            Some(assistant()),
        )
        .await;
    assert_eq!(s, 401, "the public key only works for POST /call/web");

    let (s, a) = sb.api("POST", "/assistant", Some(assistant())).await;
    assert_eq!(s, 201, "{a}");
    let id = a["id"].as_str().unwrap();
    assert_eq!(uuid::Uuid::parse_str(id).unwrap().get_version_num(), 4);
    assert!(a["orgId"].is_string());
    let created = a["createdAt"].as_str().unwrap();
    assert!(created.ends_with('Z') && created.len() == 24, "{created}");

    let (s, e) = sb
        .api(
            "POST",
            "/assistant",
            Some(json!({"name": "x", "phoneNumberId": "p"})),
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(
        e,
        json!({"message": ["property phoneNumberId should not exist"], "error": "Bad Request", "statusCode": 400})
    );

    // PATCH replaces nested objects whole.
    let (s, p) = sb
        .api(
            "PATCH",
            &format!("/assistant/{id}"),
            Some(json!({"model": {"provider": "openai", "model": "gpt-4o"}})),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(p["model"], json!({"provider": "openai", "model": "gpt-4o"}));
    assert_eq!(p["firstMessage"], a["firstMessage"]);
    let (s, list) = sb.api("GET", "/assistant?limit=5", None).await;
    assert_eq!((s, list.as_array().unwrap().len()), (200, 1));

    // Tools: name pattern, defaults, delete returns the object, then 404.
    let (s, e) = sb
        .api(
            "POST",
            "/tool",
            Some(json!({"type": "function", "function": {"name": "bad name!"}})),
        )
        .await;
    assert_eq!(s, 400);
    assert!(e["message"][0]
        .as_str()
        .unwrap()
        .contains("function.name must match"));
    let (s, e) = sb
        .api(
            "POST",
            "/tool",
            Some(json!({"type": "function", "function": {"name": "ok"}, "extra": 1})),
        )
        .await;
    assert_eq!(
        (s, e["message"].clone()),
        (400, json!(["property extra should not exist"]))
    );
    let (s, t) = sb
        .api(
            "POST",
            "/tool",
            Some(json!({"type": "function", "function": {"name": "take_message"}})),
        )
        .await;
    assert_eq!(s, 201);
    assert_eq!(
        (t["async"].clone(), t["messages"].clone()),
        (json!(false), json!([]))
    );
    let tid = t["id"].as_str().unwrap();
    let (s, d) = sb.api("DELETE", &format!("/tool/{tid}"), None).await;
    assert_eq!((s, d["id"].as_str()), (200, Some(tid)));
    let (s, e) = sb.api("GET", &format!("/tool/{tid}"), None).await;
    assert_eq!(
        (s, e["statusCode"].clone(), e["error"].clone()),
        (404, json!(404), json!("Not Found"))
    );
    let (s, e) = sb.api("GET", "/nope", None).await;
    assert_eq!((s, e["message"].clone()), (404, json!("Cannot GET /nope")));
}

#[tokio::test]
async fn vapi_numbers_activate_after_activation_ms_and_twilio_imports_are_active_at_once() {
    let sb = sandbox(|c| c.activation = Duration::from_millis(800)).await;
    let n = sb
        .number(json!({"numberDesiredAreaCode": "212", "server": {"url": "http://127.0.0.1:9/x"}}))
        .await;
    let num = n["number"].as_str().unwrap();
    assert!(num.starts_with("+1212555") && num.len() == 12, "{num}");
    assert_eq!(n["status"], "activating");
    let id = n["id"].as_str().unwrap();
    let (_, again) = sb.api("GET", &format!("/phone-number/{id}"), None).await;
    assert_eq!(again["status"], "activating");
    tokio::time::sleep(Duration::from_millis(850)).await;
    let (_, again) = sb.api("GET", &format!("/phone-number/{id}"), None).await;
    assert_eq!(again["status"], "active");

    let (s, e) = sb
        .api(
            "POST",
            "/phone-number",
            Some(
                json!({"provider": "twilio", "number": "+14155550177", "twilioAccountSid": "AC1"}),
            ),
        )
        .await;
    assert_eq!(s, 400, "{e}");
    let (s, t) = sb
        .api(
            "POST",
            "/phone-number",
            Some(json!({"provider": "twilio", "number": "+14155550177",
                        "twilioAccountSid": "AC1", "twilioAuthToken": "tok"})),
        )
        .await;
    assert_eq!((s, t["status"].clone()), (201, json!("active")));
    let (s, e) = sb
        .api(
            "PATCH",
            &format!("/phone-number/{id}"),
            Some(json!({"numberDesiredAreaCode": "415"})),
        )
        .await;
    assert_eq!(s, 400, "{e}");
    let (s, p) = sb
        .api(
            "PATCH",
            &format!("/phone-number/{id}"),
            Some(json!({"name": "Renamed"})),
        )
        .await;
    assert_eq!((s, p["name"].clone()), (200, json!("Renamed")));

    let (_, v2) = sb.api("GET", "/v2/phone-number?limit=1", None).await;
    assert_eq!(v2["results"].as_array().unwrap().len(), 1);
    assert_eq!(
        v2["metadata"],
        json!({"itemsPerPage": 1, "currentPage": 1, "totalItems": 2})
    );
    for _ in 2..100 {
        sb.number(json!({})).await;
    }
    let (s, e) = sb
        .api("POST", "/phone-number", Some(json!({"provider": "vapi"})))
        .await;
    assert_eq!(s, 400, "{e}");
    let (_, all) = sb.api("GET", "/phone-number", None).await;
    let mut numbers: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["number"].as_str().unwrap())
        .collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 100, "numbers are unique");
}

#[tokio::test]
async fn web_calls_take_the_public_key_and_return_a_daily_url() {
    let sb = sandbox(|_| {}).await;
    let (_, a) = sb.api("POST", "/assistant", Some(assistant())).await;
    let (s, c) = sb
        .send(
            reqwest::Method::POST,
            "/call/web",
            Some(DEFAULT_PUBLIC_KEY),
            Some(json!({"assistantId": a["id"],
                        "assistantOverrides": {"variableValues": {"businessName": "Acme"}}})),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    assert_eq!(
        (c["type"].clone(), c["status"].clone()),
        (json!("webCall"), json!("queued"))
    );
    let url = c["webCallUrl"].as_str().unwrap();
    assert_eq!(c["transport"], json!({"provider": "daily", "callUrl": url}));
    assert!(url.starts_with(&format!("{}/_sandbox/web/", sb.base)));
    let (s, page) = sb.page(url.strip_prefix(&sb.base).unwrap()).await;
    assert_eq!(s, 200, "{page}");
    let (s, got) = sb
        .api("GET", &format!("/call/{}", c["id"].as_str().unwrap()), None)
        .await;
    assert_eq!((s, got["type"].clone()), (200, json!("webCall")));
    let (s, _) = sb
        .send(
            reqwest::Method::POST,
            "/call/web",
            Some(DEFAULT_PUBLIC_KEY),
            Some(json!({"assistantId": "00000000-0000-4000-8000-000000000000"})),
        )
        .await;
    assert_eq!(s, 400);
}

// ------------------------------------------------------------------ calls

#[tokio::test]
async fn an_opening_hours_call_sends_the_real_messages_in_order_signed_with_hmac() {
    let (sb, p, number) = setup(AuthMode::Hmac, h(normal), |_| {}).await;
    let (s, rec) = sb
        .call(json!({"number": number, "scenario": "opening_hours"}))
        .await;
    assert_eq!(s, 200, "{rec}");
    assert_eq!(rec["status"], "ended");
    assert_eq!(rec["ended_reason"], "customer-ended-call");
    assert_eq!(rec["problems"], json!([]), "{rec}");

    let kinds = p.kinds();
    let pos = |k: &str| kinds.iter().position(|x| x == k).unwrap();
    assert_eq!(kinds[0], "assistant-request");
    assert_eq!(kinds[1], "status-update:ringing");
    assert_eq!(kinds[2], "status-update:in-progress");
    assert!(pos("conversation-update") < pos("tool-calls"));
    assert_eq!(kinds[kinds.len() - 2], "status-update:ended");
    assert_eq!(kinds[kinds.len() - 1], "end-of-call-report");
    assert_eq!(kinds.iter().filter(|k| *k == "tool-calls").count(), 1);

    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    for g in p.all() {
        assert!(g
            .header("content-type")
            .unwrap()
            .starts_with("application/json"));
        let ts = g.header("x-vapi-timestamp").unwrap();
        assert!((now - ts.parse::<i64>().unwrap()).abs() < 60_000);
        assert_eq!(
            g.header("x-vapi-signature").unwrap(),
            hmac_hex(SECRET, ts, &g.raw),
            "{}",
            g.kind()
        );
        assert!(g.header("x-vapi-secret").is_none());
        assert_eq!(g.msg["call"]["id"], rec["id"]);
    }

    let ar = &p.of("assistant-request")[0].msg;
    assert_eq!(ar["call"]["type"], "inboundPhoneCall");
    assert_eq!(ar["call"]["status"], "ringing");
    assert_eq!(ar["call"]["phoneNumberId"], ar["phoneNumber"]["id"]);
    assert_eq!(ar["phoneNumber"]["number"], number.as_str());
    assert_eq!(ar["customer"]["number"], "+14155550123");
    assert_eq!(ar["phoneNumber"]["server"]["url"], p.url.as_str());

    let tc = &p.of("tool-calls")[0].msg;
    let call = &tc["toolCalls"][0];
    assert_eq!(call["function"]["name"], "lookup_business_info");
    assert_eq!(
        call["function"]["arguments"],
        json!({"query": "opening hours"})
    );
    assert_eq!(tc["toolCallList"], tc["toolCalls"]);
    assert_eq!(tc["toolWithToolCallList"][0]["toolCall"], *call);
    assert_eq!(
        tc["toolWithToolCallList"][0]["function"]["name"],
        "lookup_business_info"
    );
    assert_eq!(tc["assistant"], json!({"name": "Acme receptionist"}));
    assert!(tc["artifact"]["messages"].is_array());

    let eocr = &p.of("end-of-call-report")[0].msg;
    assert_eq!(eocr["endedReason"], "customer-ended-call");
    assert_eq!(ms(&eocr["endedAt"]) - ms(&eocr["startedAt"]), 45_000);
    assert_eq!(eocr["cost"], json!(0.1025));
    let vapi_cost = eocr["costs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "vapi")
        .unwrap();
    assert_eq!(vapi_cost["minutes"], json!(0.75));
    assert_eq!(
        eocr["analysis"]["structuredData"],
        json!({"outcome": "answered"})
    );
    let summary = eocr["analysis"]["summary"].as_str().unwrap();
    assert!(
        summary.contains("opening hours") && summary.contains(OPEN),
        "{summary}"
    );
    let transcript = eocr["artifact"]["transcript"].as_str().unwrap();
    assert!(
        transcript.starts_with("AI: Thanks for calling Acme Plumbing"),
        "{transcript}"
    );
    assert!(
        transcript.contains(&format!("\nAI: {OPEN}")),
        "{transcript}"
    );
    assert!(transcript.contains("\nUser: Great, thank you. Bye!"));
    let roles: Vec<&str> = eocr["artifact"]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(
        roles,
        [
            "system",
            "bot",
            "user",
            "tool_calls",
            "tool_call_result",
            "bot",
            "user",
            "bot"
        ]
    );
    let last = eocr["artifact"]["messages"]
        .as_array()
        .unwrap()
        .last()
        .unwrap();
    assert!(last["endTime"].as_i64().unwrap() <= ms(&eocr["endedAt"]));
    assert!(eocr["artifact"]["recording"]["mono"]["combinedUrl"].is_string());
    assert!(eocr["artifact"]["stereoRecordingUrl"].is_string());
    assert!(eocr.get("summary").is_none() && eocr.get("durationSeconds").is_none());

    let t = turns(&rec);
    assert_eq!(t[0].1, "Thanks for calling Acme Plumbing, how can I help?");
    assert!(t.contains(&("bot".to_string(), OPEN.to_string())));
    assert_eq!(rec["deliveries"].as_array().unwrap().len(), kinds.len());
    assert_eq!(rec["deliveries"][1]["type"], "status-update");
    assert_eq!(rec["deliveries"][1]["detail"], "ringing");
    assert!(rec["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["status"] == 200 && d["problem"].is_null()));

    // GET /call/{id} agrees.
    let (s, c) = sb
        .api(
            "GET",
            &format!("/call/{}", rec["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(c["endedReason"], "customer-ended-call");
    assert_eq!(
        (c["startedAt"].clone(), c["endedAt"].clone()),
        (eocr["startedAt"].clone(), eocr["endedAt"].clone())
    );
    assert_eq!(c["cost"], json!(0.1025));
    let (_, list) = sb
        .api(
            "GET",
            &format!(
                "/call?phoneNumberId={}",
                ar["phoneNumber"]["id"].as_str().unwrap()
            ),
            None,
        )
        .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn tool_calls_carry_string_arguments_on_request_and_server_messages_are_respected() {
    let handler = h(|path, m| match m["type"].as_str() {
        Some("assistant-request") => {
            let mut a = assistant();
            a["serverMessages"] = json!(["end-of-call-report", "tool-calls"]);
            (200, json!({"assistant": a}), 0)
        }
        _ => normal(path, m),
    });
    let (sb, p, number) = setup(AuthMode::Bearer, handler, |_| {}).await;
    let (_, rec) = sb
        .call(
            json!({"number": number, "scenario": "faq", "question": "Do you fix boilers?",
                     "arguments_as_string": true}),
        )
        .await;
    assert_eq!(rec["problems"], json!([]), "{rec}");
    assert_eq!(
        p.kinds(),
        ["assistant-request", "tool-calls", "end-of-call-report"]
    );
    for g in p.all() {
        assert_eq!(
            g.header("authorization"),
            Some(format!("Bearer {SECRET}").as_str())
        );
    }
    let tc = &p.of("tool-calls")[0].msg;
    let args = tc["toolCalls"][0]["function"]["arguments"]
        .as_str()
        .unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(args).unwrap(),
        json!({"query": "Do you fix boilers?"})
    );
    assert_eq!(tc["toolCallList"][0]["function"]["arguments"], json!(args));
    let eocr = &p.of("end-of-call-report")[0].msg;
    assert_eq!(ms(&eocr["endedAt"]) - ms(&eocr["startedAt"]), 50_000);
}

#[tokio::test]
async fn duplicates_and_reorder_repeat_and_swap_the_final_messages() {
    let (sb, p, number) = setup(AuthMode::None, h(normal), |_| {}).await;
    let (_, rec) = sb
        .call(json!({"number": number, "scenario": "hangup_5s", "duplicates": 2, "reorder": true}))
        .await;
    assert_eq!(rec["ended_reason"], "customer-ended-call");
    let kinds = p.kinds();
    assert_eq!(
        kinds[kinds.len() - 5..],
        [
            "end-of-call-report",
            "end-of-call-report",
            "status-update:ended",
            "status-update:ended",
            "status-update:in-progress"
        ]
    );
    assert!(p
        .all()
        .iter()
        .all(|g| g.header("x-vapi-secret").is_none() && g.header("authorization").is_none()));
    let eocrs = p.of("end-of-call-report");
    assert_eq!(eocrs[0].msg["call"]["id"], eocrs[1].msg["call"]["id"]);
    assert_eq!(
        ms(&eocrs[0].msg["endedAt"]) - ms(&eocrs[0].msg["startedAt"]),
        5_000
    );

    // Concurrent duplicates all arrive.
    let (sb2, p2, number2) = setup(AuthMode::Secret, h(normal), |_| {}).await;
    let (_, rec) = sb2
        .call(
            json!({"number": number2, "scenario": "silence", "duplicates": 3,
                     "concurrent_duplicates": true}),
        )
        .await;
    assert_eq!(rec["ended_reason"], "silence-timed-out");
    assert_eq!(p2.of("status-update:ended").len(), 3);
    assert_eq!(p2.of("end-of-call-report").len(), 3);
    assert!(p2
        .all()
        .iter()
        .all(|g| g.header("x-vapi-secret") == Some(SECRET)));
    let eocr = &p2.of("end-of-call-report")[0].msg;
    assert_eq!(
        eocr["analysis"]["structuredData"],
        json!({"outcome": "no_conversation"})
    );
    assert_eq!(ms(&eocr["endedAt"]) - ms(&eocr["startedAt"]), 30_000);
}

#[tokio::test]
async fn legacy_reports_put_the_fields_at_the_top_level() {
    let (sb, p, number) = setup(AuthMode::Secret, h(normal), |_| {}).await;
    let (_, rec) = sb
        .call(json!({"number": number, "legacy": true, "duration_seconds": 90}))
        .await;
    assert_eq!(rec["ended_reason"], "customer-ended-call");
    let eocr = &p.of("end-of-call-report")[0].msg;
    assert!(eocr["summary"].as_str().unwrap().contains(OPEN));
    assert!(eocr["transcript"].as_str().unwrap().starts_with("AI: "));
    assert!(eocr["messages"].is_array());
    assert!(eocr["recordingUrl"].is_string() && eocr["stereoRecordingUrl"].is_string());
    assert_eq!(eocr["durationSeconds"], json!(90.0));
    assert!(eocr.get("startedAt").is_none() && eocr.get("endedAt").is_none());
    assert!(eocr.get("analysis").is_none());
    assert!(eocr["artifact"].get("transcript").is_none());
    assert_eq!(eocr["cost"], json!(0.155));
}

#[tokio::test]
async fn an_error_answer_ends_the_call_with_assistant_request_returned_error() {
    let handler = h(|_, m| match m["type"].as_str() {
        Some("assistant-request") => (
            200,
            json!({"error": "Sorry, this line is not available right now."}),
            0,
        ),
        _ => (200, json!({}), 0),
    });
    let (sb, p, number) = setup(AuthMode::Secret, handler, |_| {}).await;
    let (_, rec) = sb.call(json!({"number": number})).await;
    assert_eq!(rec["ended_reason"], "assistant-request-returned-error");
    assert!(rec["started_at"].is_null());
    assert_eq!(
        turns(&rec),
        [(
            "bot".to_string(),
            "Sorry, this line is not available right now.".to_string()
        )]
    );
    assert_eq!(
        p.kinds(),
        [
            "assistant-request",
            "status-update:ended",
            "end-of-call-report"
        ]
    );
    let eocr = &p.of("end-of-call-report")[0].msg;
    assert_eq!(eocr["endedReason"], "assistant-request-returned-error");
    assert!(eocr.get("startedAt").is_none() && eocr.get("endedAt").is_none());
    assert_eq!(eocr["cost"], json!(0.0));
    assert_eq!(
        p.of("status-update:ended")[0].msg["endedReason"],
        "assistant-request-returned-error"
    );
}

#[tokio::test]
async fn a_failing_or_slow_assistant_request_ends_with_assistant_request_failed() {
    let handler = h(|path, m| {
        if m["type"] == "assistant-request" {
            if m["customer"]["number"] == "+14155550999" {
                (200, json!({"assistant": assistant()}), 1000)
            } else {
                (500, json!({"message": "boom"}), 0)
            }
        } else {
            normal(path, m)
        }
    });
    let (sb, p, number) = setup(AuthMode::Secret, handler, |c| {
        c.assistant_request_timeout = Duration::from_millis(300)
    })
    .await;
    let (_, rec) = sb.call(json!({"number": number})).await;
    assert_eq!(rec["ended_reason"], "assistant-request-failed");
    assert_eq!(rec["deliveries"][0]["status"], 500);
    assert!(!rec["problems"].as_array().unwrap().is_empty());
    let (_, rec) = sb
        .call(json!({"number": number, "caller": "+14155550999"}))
        .await;
    assert_eq!(rec["ended_reason"], "assistant-request-failed");
    assert!(rec["deliveries"][0]["problem"]
        .as_str()
        .unwrap()
        .contains("timed out"));
    assert_eq!(p.of("end-of-call-report").len(), 2);
}

#[tokio::test]
async fn a_tool_answer_for_an_unknown_tool_call_is_recorded_as_a_problem() {
    let handler = h(|path, m| match m["type"].as_str() {
        // The right id under an unknown tool name.
        Some("tool-calls") if m["customer"]["number"] == "+14155550142" => (
            200,
            results(
                m,
                |_| json!({"name": "some_other_tool", "result": "whatever"}),
            ),
            0,
        ),
        Some("tool-calls") => (
            200,
            json!({"results": [{"toolCallId": "call.not-the-id", "result": "whatever"}]}),
            0,
        ),
        _ => normal(path, m),
    });
    let (sb, _p, number) = setup(AuthMode::Secret, handler, |_| {}).await;
    let (_, rec) = sb
        .call(json!({"number": number, "caller": "+14155550142"}))
        .await;
    let problems = rec["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{rec}");
    assert!(problems[0].as_str().unwrap().contains("some_other_tool"));
    assert!(turns(&rec).contains(&("bot".into(), kmx_vapi_sandbox::NO_RESULT.into())));

    let (_, rec) = sb.call(json!({"number": number})).await;
    let problems = rec["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{rec}");
    assert!(problems[0].as_str().unwrap().contains("no result returned"));
    let d = rec["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["type"] == "tool-calls")
        .unwrap();
    assert_eq!(d["status"], 200);
    assert!(d["problem"].as_str().unwrap().contains("toolCallId"));
    assert!(turns(&rec).contains(&("bot".into(), "Sorry, I couldn't find that.".into())));
}

#[tokio::test]
async fn a_slow_tool_gets_one_hang_message_and_multiline_results_are_refused() {
    let handler = h(|path, m| match m["type"].as_str() {
        Some("tool-calls") => (
            200,
            results(m, |_| json!({"result": "line one\nline two"})),
            400,
        ),
        _ => normal(path, m),
    });
    let (sb, p, number) = setup(AuthMode::Secret, handler, |c| {
        c.hang_after = Duration::from_millis(100)
    })
    .await;
    let (_, rec) = sb.call(json!({"number": number})).await;
    assert_eq!(p.of("hang").len(), 1);
    let kinds = p.kinds();
    let pos = |k: &str| kinds.iter().position(|x| x == k).unwrap();
    assert!(pos("tool-calls") < pos("hang"));
    assert!(
        rec["problems"][0].as_str().unwrap().contains("single line"),
        "{rec}"
    );
}

#[tokio::test]
async fn numbers_with_an_assistant_id_skip_assistant_request_and_tools_use_their_own_server() {
    let p = product(h(|path: &str, m: &Value| match m["type"].as_str() {
        Some("tool-calls") if path == "/tools" => (
            200,
            results(m, |_| json!({"result": "Message saved for the owner."})),
            0,
        ),
        Some("tool-calls") => (500, json!({}), 0),
        _ => (200, json!({}), 0),
    }))
    .await;
    let tools_url = p.url.replace("/api/vapi/webhook", "/tools");
    let sb = sandbox(|_| {}).await;
    let (_, tool) = sb
        .api(
            "POST",
            "/tool",
            Some(
                json!({"type": "function", "function": {"name": "take_message"},
                        "server": {"url": tools_url, "timeoutSeconds": 5}}),
            ),
        )
        .await;
    let mut a = assistant();
    a["model"]["toolIds"] = json!([tool["id"]]);
    a["server"] = json!({"url": p.url});
    a["analysisPlan"]["summaryPlan"] = json!({"enabled": false});
    a["artifactPlan"] = json!({"recordingEnabled": false});
    let (_, a) = sb.api("POST", "/assistant", Some(a)).await;
    let n = sb.number(json!({"assistantId": a["id"]})).await;
    let (_, rec) = sb
        .call(json!({"phone_number_id": n["id"], "scenario": "message",
                     "caller_name": "Sam Lee", "urgency": "high"}))
        .await;
    assert_eq!(rec["problems"], json!([]), "{rec}");
    assert!(p.of("assistant-request").is_empty());
    let tc = p.of("tool-calls");
    assert_eq!(tc.len(), 1);
    assert_eq!(tc[0].path, "/tools");
    assert_eq!(
        tc[0].msg["toolCalls"][0]["function"]["arguments"],
        json!({"caller_name": "Sam Lee", "caller_number": "+14155550123",
               "reason": "Please call me back about a quote for a new boiler.", "urgency": "high"})
    );
    assert_eq!(tc[0].msg["call"]["assistantId"], a["id"]);
    assert!(p
        .all()
        .iter()
        .filter(|g| g.kind() != "tool-calls")
        .all(|g| g.path == "/api/vapi/webhook"));
    let eocr = &p.of("end-of-call-report")[0].msg;
    assert_eq!(ms(&eocr["endedAt"]) - ms(&eocr["startedAt"]), 70_000);
    assert_eq!(
        eocr["analysis"]["structuredData"],
        json!({"outcome": "message_taken"})
    );
    assert!(eocr["analysis"].get("summary").is_none());
    assert!(eocr["artifact"].get("recording").is_none());
    assert!(turns(&rec).contains(&("bot".into(), "Message saved for the owner.".into())));
}

#[tokio::test]
async fn assistants_without_the_tool_say_they_cannot_help_and_destinations_forward() {
    let handler = h(|_, m| match m["type"].as_str() {
        Some("assistant-request") if m["customer"]["number"] == "+14155550100" => (
            200,
            json!({"destination": {"type": "number", "number": "+14155550111",
                                   "message": "Connecting you now."}}),
            0,
        ),
        Some("assistant-request") => (
            200,
            json!({"assistant": {"firstMessage": "Hi {{businessName}}!"},
                   "assistantOverrides": {"variableValues": {"businessName": "Acme"}}}),
            0,
        ),
        _ => (200, json!({}), 0),
    });
    let (sb, p, number) = setup(AuthMode::Secret, handler, |_| {}).await;
    let (_, rec) = sb.call(json!({"number": number})).await;
    let t = turns(&rec);
    assert_eq!(t[0].1, "Hi Acme!");
    assert!(t.contains(&("bot".into(), kmx_vapi_sandbox::CANT_HELP.into())));
    assert!(p.of("tool-calls").is_empty());
    assert!(!p.of("conversation-update").is_empty());

    let (_, rec) = sb
        .call(json!({"number": number, "caller": "+14155550100"}))
        .await;
    assert_eq!(rec["ended_reason"], "assistant-forwarded-call");
    assert_eq!(turns(&rec), [("bot".into(), "Connecting you now.".into())]);
    assert_eq!(p.of("status-update:forwarding").len(), 1);
}

// ------------------------------------------------------------------ controls

#[tokio::test]
async fn controls_validate_requests_and_pages_show_escaped_calls() {
    let handler = h(|path, m| match m["type"].as_str() {
        Some("assistant-request") => {
            let mut a = assistant();
            a["firstMessage"] = json!("<script>alert(1)</script>");
            (200, json!({"assistant": a}), 0)
        }
        _ => normal(path, m),
    });
    let (sb, _p, number) = setup(AuthMode::Secret, handler, |c| {
        c.activation = Duration::from_secs(60)
    })
    .await;
    let (s, _) = sb.page("/_sandbox/health").await;
    assert_eq!(s, 200);
    let (s, e) = sb.call(json!({"number": "+19999999999"})).await;
    assert_eq!(s, 404, "{e}");
    let (s, e) = sb
        .call(json!({"number": number, "scenario": "karaoke"}))
        .await;
    assert_eq!(s, 400, "{e}");
    assert!(e["error"].as_str().unwrap().contains("karaoke"));
    let (s, e) = sb.call(json!({"number": number})).await;
    assert_eq!(s, 409, "still activating: {e}");
    let (_, numbers) = sb.api("GET", "/phone-number", None).await;
    let id = numbers[0]["id"].as_str().unwrap().to_string();
    let (s, n) = sb
        .send(
            reqwest::Method::POST,
            &format!("/_sandbox/numbers/{id}/activate"),
            None,
            None,
        )
        .await;
    assert_eq!((s, n["status"].clone()), (200, json!("active")));

    let (s, rec) = sb.call(json!({"number": number, "wait": false})).await;
    assert_eq!(s, 202);
    let cid = rec["id"].as_str().unwrap().to_string();
    let mut done = Value::Null;
    for _ in 0..250 {
        let (_, r) = sb
            .send(
                reqwest::Method::GET,
                &format!("/_sandbox/calls/{cid}"),
                None,
                None,
            )
            .await;
        if r["status"] == "ended" {
            done = r;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(done["ended_reason"], "customer-ended-call");
    let (_, list) = sb
        .send(reqwest::Method::GET, "/_sandbox/calls", None, None)
        .await;
    assert_eq!(list[0]["id"], cid.as_str());

    let (s, view) = sb.page(&format!("/_sandbox/calls/{cid}/view")).await;
    assert_eq!(s, 200);
    assert!(view.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!view.contains("<script>alert"));
    assert!(
        !view.contains("http-equiv=\"refresh\""),
        "ended calls stop refreshing"
    );
    assert!(view.contains("customer-ended-call"));

    let encoded = number.replace('+', "%2B");
    let (s, page) = sb.page(&format!("/_sandbox?number={encoded}")).await;
    assert_eq!(s, 200);
    assert!(page.contains("id=\"selected\""));
    let sel = page.find("id=\"selected\"").unwrap();
    assert!(page[sel..].contains(&number));
    assert!(page.contains("action=\"/_sandbox/dial\""));

    let r = sb
        .http
        .post(format!("{}/_sandbox/dial", sb.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "number={encoded}&scenario=faq&question=Is+there+parking%3F"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    assert!(loc.starts_with("/_sandbox/calls/") && loc.ends_with("/view"));
    let (s, live) = sb.page(&loc).await;
    assert_eq!(s, 200);
    assert!(live.contains("faq"));
}

#[tokio::test]
async fn a_restarted_sandbox_with_a_state_file_still_knows_its_numbers() {
    let dir = std::env::temp_dir().join(format!("vapi-state-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("state.json");
    let first = sandbox(|c| c.state_file = Some(file.clone())).await;
    let n = first.number(json!({"numberDesiredAreaCode": "212"})).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while !std::fs::read_to_string(&file).is_ok_and(|t| t.contains(n["id"].as_str().unwrap())) {
        assert!(
            std::time::Instant::now() < deadline,
            "the state file was not written"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let second = sandbox(|c| c.state_file = Some(file.clone())).await;
    let (status, again) = second
        .api(
            "GET",
            &format!("/phone-number/{}", n["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["number"], n["number"]);
    let _ = std::fs::remove_dir_all(&dir);
}
