//! The sandbox end to end, in-process: a real HTTP server on a free port and
//! a webhook receiver that checks every `Stripe-Signature`.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use kmx_sandbox::{signature, Config, DEFAULT_API_KEY, DEFAULT_WEBHOOK_SECRET};
use serde_json::{json, Value};
use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;

#[derive(Clone, Debug)]
struct Received {
    body: String,
    signature: Option<String>,
    content_type: String,
    user_agent: String,
    valid: bool,
}

#[derive(Default)]
struct Receiver {
    got: Mutex<Vec<Received>>,
    /// Answer 500 to this many (validly signed) requests first.
    fail_first: AtomicUsize,
}

impl Receiver {
    fn events(&self) -> Vec<Value> {
        self.got
            .lock()
            .unwrap()
            .iter()
            .map(|r| serde_json::from_str(&r.body).unwrap())
            .collect()
    }
}

async fn start_receiver(fail_first: usize) -> (Arc<Receiver>, String) {
    let rx = Arc::new(Receiver {
        fail_first: AtomicUsize::new(fail_first),
        ..Receiver::default()
    });
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/api/webhooks/stripe", l.local_addr().unwrap());
    let r = rx.clone();
    tokio::spawn(async move {
        loop {
            let (s, _) = l.accept().await.unwrap();
            let r = r.clone();
            tokio::spawn(async move {
                let svc = service_fn(move |req: Request<hyper::body::Incoming>| {
                    let r = r.clone();
                    async move {
                        let h = |k: &str| {
                            req.headers()
                                .get(k)
                                .and_then(|v| v.to_str().ok())
                                .map(str::to_string)
                        };
                        let signature = h("stripe-signature");
                        let content_type = h("content-type").unwrap_or_default();
                        let user_agent = h("user-agent").unwrap_or_default();
                        let body = req.into_body().collect().await.unwrap().to_bytes();
                        let now = std::time::SystemTime::now()
                            .duration_since(std::time::UNIX_EPOCH)
                            .unwrap()
                            .as_secs() as i64;
                        let valid = signature.as_deref().is_some_and(|s| {
                            signature::verify(s, &body, DEFAULT_WEBHOOK_SECRET, now, 300)
                        });
                        r.got.lock().unwrap().push(Received {
                            body: String::from_utf8(body.to_vec()).unwrap(),
                            signature,
                            content_type,
                            user_agent,
                            valid,
                        });
                        let status = if !valid {
                            400
                        } else if r
                            .fail_first
                            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                            .is_ok()
                        {
                            500
                        } else {
                            200
                        };
                        let mut resp = Response::new(Full::new(Bytes::from_static(b"{}")));
                        *resp.status_mut() = hyper::StatusCode::from_u16(status).unwrap();
                        Ok::<_, Infallible>(resp)
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(s), svc)
                    .await;
            });
        }
    });
    (rx, url)
}

struct Sandbox {
    base: String,
    http: reqwest::Client,
}

async fn start(webhook_url: Option<String>) -> Sandbox {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", l.local_addr().unwrap());
    let mut cfg = Config::new(base.clone());
    cfg.webhook_url = webhook_url;
    cfg.retry_delays = vec![Duration::from_millis(20); 3];
    tokio::spawn(kmx_sandbox::serve(l, cfg));
    Sandbox {
        base,
        http: reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
    }
}

/// What async-stripe 1.0.0-rc.10 sends (reference §1.2), raw brackets.
const BODY: &str = "cancel_url=http://127.0.0.1:8080/credits?cancelled=1&client_reference_id=acct_42&customer_email=owner@example.com&line_items[0][price_data][currency]=usd&line_items[0][price_data][product_data][name]=500+call+credits&line_items[0][price_data][unit_amount]=2500&line_items[0][quantity]=1&metadata[account_id]=acct_42&metadata[purchase_id]=p-1&mode=payment&payment_intent_data[metadata][purchase_id]=p-1&success_url=http://127.0.0.1:8080/credits/success?purchase_id%3Dp-1%26session_id%3D{CHECKOUT_SESSION_ID}";

impl Sandbox {
    async fn api_post(&self, path: &str, body: &str, key: Option<&str>) -> (u16, Value) {
        let mut rb = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(DEFAULT_API_KEY)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.to_string());
        if let Some(k) = key {
            rb = rb.header("Idempotency-Key", k);
        }
        let r = rb.send().await.unwrap();
        (r.status().as_u16(), r.json().await.unwrap())
    }

    async fn api_get(&self, path: &str) -> (u16, Value) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .basic_auth(DEFAULT_API_KEY, Some(""))
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap())
    }

    async fn control(&self, path: &str, body: Value) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}/_sandbox{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap())
    }

    async fn create(&self) -> Value {
        let (status, s) = self.api_post("/v1/checkout/sessions", BODY, None).await;
        assert_eq!(status, 200, "{s}");
        s
    }

    async fn idle(&self) {
        let v: Value = self
            .http
            .get(format!("{}/_sandbox/idle?timeout_ms=10000", self.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(v["idle"], true);
    }
}

#[tokio::test]
async fn paying_on_the_hosted_page_delivers_a_signed_completed_event() {
    let (rx, url) = start_receiver(0).await;
    let sb = start(Some(url)).await;
    let s = sb.create().await;
    let id = s["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("cs_test_"), "{id}");
    assert_eq!(s["object"], "checkout.session");
    assert_eq!(s["status"], "open");
    assert_eq!(s["payment_status"], "unpaid");
    assert_eq!(s["amount_total"], 2500);
    assert_eq!(s["currency"], "usd");
    assert_eq!(s["client_reference_id"], "acct_42");
    assert_eq!(s["customer_email"], "owner@example.com");
    assert_eq!(
        s["metadata"],
        json!({"account_id": "acct_42", "purchase_id": "p-1"})
    );
    assert_eq!(s["payment_intent"], Value::Null);
    assert_eq!(s["livemode"], false);
    assert_eq!(s["url"], format!("{}/checkout/{id}", sb.base));

    let page = sb
        .http
        .get(s["url"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("500 call credits"), "{page}");
    assert!(page.contains("$25.00"), "{page}");
    assert!(page.contains("id=\"pay\""), "{page}");
    assert!(page.contains("id=\"cancel\""), "{page}");

    let cancel = sb
        .http
        .get(format!("{}/checkout/{id}/cancel", sb.base))
        .send()
        .await
        .unwrap();
    assert_eq!(cancel.status().as_u16(), 303);
    assert_eq!(
        cancel.headers()["location"],
        "http://127.0.0.1:8080/credits?cancelled=1"
    );

    let pay = sb
        .http
        .post(format!("{}/checkout/{id}/pay", sb.base))
        .send()
        .await
        .unwrap();
    assert_eq!(pay.status().as_u16(), 303);
    assert_eq!(
        pay.headers()["location"].to_str().unwrap(),
        format!("http://127.0.0.1:8080/credits/success?purchase_id=p-1&session_id={id}")
    );
    sb.idle().await;

    let got = rx.got.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "{got:?}");
    let r = &got[0];
    assert!(r.valid, "signature {:?}", r.signature);
    assert_eq!(r.content_type, "application/json; charset=utf-8");
    assert!(r.user_agent.starts_with("Stripe/1.0"), "{}", r.user_agent);
    let ev: Value = serde_json::from_str(&r.body).unwrap();
    assert!(ev["id"].as_str().unwrap().starts_with("evt_"));
    assert_eq!(ev["object"], "event");
    assert_eq!(ev["type"], "checkout.session.completed");
    assert_eq!(ev["livemode"], false);
    assert_eq!(ev["pending_webhooks"], 1);
    assert!(ev["api_version"].is_string());
    assert!(ev["created"].is_i64());
    assert_eq!(ev["request"], json!({"id": null, "idempotency_key": null}));
    let o = &ev["data"]["object"];
    assert_eq!(o["id"], id.as_str());
    assert_eq!(o["status"], "complete");
    assert_eq!(o["payment_status"], "paid");
    assert_eq!(o["url"], Value::Null);
    assert!(o["payment_intent"].as_str().unwrap().starts_with("pi_"));
    assert_eq!(o["metadata"]["purchase_id"], "p-1");

    // The API agrees, and a second payment is refused.
    let (_, again) = sb.api_get(&format!("/v1/checkout/sessions/{id}")).await;
    assert_eq!(again["payment_status"], "paid");
    assert_eq!(again["payment_intent"], o["payment_intent"]);
    let twice = sb
        .http
        .post(format!("{}/checkout/{id}/pay", sb.base))
        .send()
        .await
        .unwrap();
    assert_eq!(twice.status().as_u16(), 409);
    let (_, events) = sb.api_get("/v1/events?limit=5").await;
    assert_eq!(events["data"][0]["id"], ev["id"]);
    let (_, one) = sb
        .api_get(&format!("/v1/events/{}", ev["id"].as_str().unwrap()))
        .await;
    assert_eq!(one, ev);
}

#[tokio::test]
async fn api_errors_auth_and_idempotency() {
    let sb = start(None).await;
    let r = sb
        .http
        .get(format!("{}/v1/events", sb.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert!(r.headers()["request-id"]
        .to_str()
        .unwrap()
        .starts_with("req_"));
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["type"], "invalid_request_error");
    let r = sb
        .http
        .get(format!("{}/v1/events", sb.base))
        .bearer_auth("sk_test_wrong_key_123456")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);

    // Each required parameter, named as in reference §1.7.
    let required = [
        ("mode=payment&", "mode"),
        ("success_url=http://x.test/ok&", "success_url"),
        (
            "line_items[0][price_data][currency]=usd&",
            "line_items[0][price_data][currency]",
        ),
        (
            "line_items[0][price_data][unit_amount]=2500&",
            "line_items[0][price_data][unit_amount]",
        ),
        (
            "line_items[0][price_data][product_data][name]=Pack&",
            "line_items[0][price_data][product_data][name]",
        ),
        ("line_items[0][quantity]=1&", "line_items[0][quantity]"),
    ];
    let full: String = required.iter().map(|(p, _)| *p).collect();
    for (part, param) in required {
        let body = full.replace(part, "");
        let (status, e) = sb.api_post("/v1/checkout/sessions", &body, None).await;
        assert_eq!(status, 400, "{body}: {e}");
        assert_eq!(e["error"]["code"], "parameter_missing", "{e}");
        assert_eq!(e["error"]["param"], param, "{e}");
        assert_eq!(
            e["error"]["message"],
            format!("Missing required param: {param}.")
        );
    }
    let (status, e) = sb
        .api_post(
            "/v1/checkout/sessions",
            "mode=payment&success_url=http://x.test/",
            None,
        )
        .await;
    assert_eq!(
        (status, e["error"]["param"].as_str()),
        (400, Some("line_items"))
    );
    let (status, e) = sb
        .api_post(
            "/v1/checkout/sessions",
            &full.replace("mode=payment", "mode=subscription"),
            None,
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(e["error"]["param"], "mode");
    let (status, e) = sb
        .api_post("/v1/checkout/sessions", &format!("{full}bogus=1"), None)
        .await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (400, Some("parameter_unknown"))
    );
    let (status, _) = sb
        .api_post(
            "/v1/checkout/sessions",
            &full.replace("[quantity]=1", "[quantity]=x"),
            None,
        )
        .await;
    assert_eq!(status, 400);

    // Percent-encoded brackets are the same request.
    let encoded = full.replace('[', "%5B").replace(']', "%5D");
    let (status, s) = sb.api_post("/v1/checkout/sessions", &encoded, None).await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(s["amount_total"], 2500);

    // Same key + same body: the same session; another body: an error.
    let (_, a) = sb
        .api_post("/v1/checkout/sessions", BODY, Some("checkout-p-1"))
        .await;
    let (_, b) = sb
        .api_post("/v1/checkout/sessions", BODY, Some("checkout-p-1"))
        .await;
    assert_eq!(a, b);
    let (status, e) = sb
        .api_post(
            "/v1/checkout/sessions",
            &BODY.replace("2500", "2600"),
            Some("checkout-p-1"),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(e["error"]["type"], "idempotency_error");
    let (status, e) = sb.api_get("/v1/checkout/sessions/cs_test_nope").await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (404, Some("resource_missing"))
    );
}

#[tokio::test]
async fn redelivery_refunds_and_disputes() {
    let (rx, url) = start_receiver(0).await;
    let sb = start(Some(url)).await;
    let s = sb.create().await;
    let id = s["id"].as_str().unwrap();
    let (status, done) = sb
        .control(
            &format!("/checkout/sessions/{id}/complete"),
            json!({"deliver": false}),
        )
        .await;
    assert_eq!(status, 200, "{done}");
    let ev = done["event_id"].as_str().unwrap().to_string();
    let charge = done["charge"].as_str().unwrap().to_string();
    assert!(charge.starts_with("ch_"));
    sb.idle().await;
    assert!(rx.got.lock().unwrap().is_empty(), "deliver: false");

    // Five concurrent deliveries of one event: same id, same bytes.
    let r = sb
        .http
        .post(format!("{}/_sandbox/deliver", sb.base))
        .json(&json!({"event_ids": [ev], "times": 5, "concurrent": true}))
        .send()
        .await
        .unwrap();
    let results: Value = r.json().await.unwrap();
    assert_eq!(results.as_array().unwrap().len(), 5);
    assert!(results
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["status"] == 200 && r["event_id"] == ev.as_str()));
    let got = rx.got.lock().unwrap().clone();
    assert_eq!(got.len(), 5);
    assert!(got.iter().all(|r| r.valid && r.body == got[0].body));

    // A partial refund through the API, then the rest from the sandbox.
    let (status, refund) = sb
        .api_post(
            "/v1/refunds",
            &format!("charge={charge}&amount=1000"),
            Some("refund-1"),
        )
        .await;
    assert_eq!(status, 200, "{refund}");
    assert_eq!(refund["object"], "refund");
    assert_eq!(refund["amount"], 1000);
    let (status, e) = sb
        .control(
            &format!("/charges/{charge}/refund"),
            json!({"amount": 2000}),
        )
        .await;
    assert_eq!(status, 400, "{e}");
    let pi = done["payment_intent"].as_str().unwrap();
    let (status, rest) = sb
        .control(&format!("/charges/{pi}/refund"), json!({}))
        .await;
    assert_eq!(status, 200, "{rest}");
    assert_eq!(rest["refund"]["amount"], 1500);
    sb.idle().await;
    let refunded: Vec<Value> = rx
        .events()
        .into_iter()
        .filter(|e| e["type"] == "charge.refunded")
        .collect();
    assert_eq!(refunded.len(), 2);
    let (first, second) = (&refunded[0]["data"], &refunded[1]["data"]);
    assert_eq!(first["object"]["object"], "charge");
    assert_eq!(first["object"]["id"], charge.as_str());
    assert_eq!(first["object"]["payment_intent"], pi);
    assert_eq!(first["object"]["amount"], 2500);
    assert_eq!(first["object"]["amount_refunded"], 1000);
    assert_eq!(first["object"]["refunded"], false);
    assert_eq!(first["previous_attributes"]["amount_refunded"], 0);
    assert_eq!(refunded[0]["request"]["idempotency_key"], "refund-1");
    assert_eq!(second["object"]["amount_refunded"], 2500);
    assert_eq!(second["object"]["refunded"], true);

    // A dispute on a second purchase.
    let s2 = sb.create().await;
    let (_, done2) = sb
        .control(
            &format!("/checkout/sessions/{}/complete", s2["id"].as_str().unwrap()),
            json!({}),
        )
        .await;
    let charge2 = done2["charge"].as_str().unwrap();
    let (status, d) = sb
        .control(&format!("/charges/{charge2}/dispute"), json!({}))
        .await;
    assert_eq!(status, 200, "{d}");
    sb.idle().await;
    let dispute = rx
        .events()
        .into_iter()
        .find(|e| e["type"] == "charge.dispute.created")
        .unwrap();
    let o = &dispute["data"]["object"];
    assert!(o["id"].as_str().unwrap().starts_with("dp_"));
    assert_eq!(o["object"], "dispute");
    assert_eq!(o["charge"], charge2);
    assert_eq!(o["payment_intent"], done2["payment_intent"]);
    assert_eq!(o["amount"], 2500);
    assert_eq!(o["status"], "needs_response");
    assert_eq!(o["reason"], "fraudulent");
    let (status, _) = sb
        .control(&format!("/charges/{charge2}/dispute"), json!({}))
        .await;
    assert_eq!(status, 409);

    // Deliberately broken signatures reach the receiver unverifiable.
    let n = rx.got.lock().unwrap().len();
    for sig in ["wrong_secret", "stale", "none"] {
        let r: Value = sb
            .http
            .post(format!("{}/_sandbox/deliver", sb.base))
            .json(&json!({"event_ids": [ev], "signature": sig}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(r[0]["status"], 400, "{sig}: {r}");
    }
    assert!(rx.got.lock().unwrap()[n..].iter().all(|r| !r.valid));
}

#[tokio::test]
async fn failed_deliveries_are_retried_and_recorded() {
    let (rx, url) = start_receiver(2).await;
    let sb = start(Some(url)).await;
    let s = sb.create().await;
    let id = s["id"].as_str().unwrap();
    let (_, done) = sb
        .control(&format!("/checkout/sessions/{id}/complete"), json!({}))
        .await;
    sb.idle().await;
    assert_eq!(rx.got.lock().unwrap().len(), 3);
    let ev: Value = sb
        .http
        .get(format!(
            "{}/_sandbox/events/{}",
            sb.base,
            done["event_id"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let attempts: Vec<(String, Value)> = ev["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["kind"].as_str().unwrap().to_string(), d["status"].clone()))
        .collect();
    assert_eq!(
        attempts,
        vec![
            ("auto".to_string(), json!(500)),
            ("retry".to_string(), json!(500)),
            ("retry".to_string(), json!(200)),
        ]
    );
    assert_eq!(ev["delivered"], true);
}

#[tokio::test]
async fn delayed_payments_and_expiry() {
    let (rx, url) = start_receiver(0).await;
    let sb = start(Some(url)).await;
    let ok = sb.create().await;
    let ok = ok["id"].as_str().unwrap();
    let (_, c) = sb
        .control(
            &format!("/checkout/sessions/{ok}/complete"),
            json!({"payment_status": "unpaid"}),
        )
        .await;
    assert_eq!(c["session"]["payment_status"], "unpaid");
    assert_eq!(c["charge"], Value::Null);
    let (status, c) = sb
        .control(
            &format!("/checkout/sessions/{ok}/async_payment_succeeded"),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["session"]["payment_status"], "paid");
    assert!(c["charge"].as_str().unwrap().starts_with("ch_"));

    let bad = sb.create().await;
    let bad = bad["id"].as_str().unwrap();
    sb.control(
        &format!("/checkout/sessions/{bad}/complete"),
        json!({"payment_status": "unpaid"}),
    )
    .await;
    let (status, _) = sb
        .control(
            &format!("/checkout/sessions/{bad}/async_payment_failed"),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);

    // A second credit-triggering event for a session paid right away.
    let twice = sb.create().await;
    let twice = twice["id"].as_str().unwrap();
    let (_, paid) = sb
        .control(
            &format!("/checkout/sessions/{twice}/complete"),
            json!({"deliver": false}),
        )
        .await;
    let (status, again) = sb
        .control(
            &format!("/checkout/sessions/{twice}/async_payment_succeeded"),
            json!({"deliver": false}),
        )
        .await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["charge"], paid["charge"], "no second charge");
    let (status, _) = sb
        .control(
            &format!("/checkout/sessions/{twice}/async_payment_failed"),
            json!({"deliver": false}),
        )
        .await;
    assert_eq!(status, 409);

    let gone = sb.create().await;
    let gone = gone["id"].as_str().unwrap();
    let (status, s) = sb
        .api_post(&format!("/v1/checkout/sessions/{gone}/expire"), "", None)
        .await;
    assert_eq!((status, s["status"].as_str()), (200, Some("expired")));
    assert_eq!(s["url"], Value::Null);
    let pay = sb
        .http
        .post(format!("{}/checkout/{gone}/pay", sb.base))
        .send()
        .await
        .unwrap();
    assert_eq!(pay.status().as_u16(), 409);
    assert!(pay.text().await.unwrap().contains("expired"));

    sb.idle().await;
    let types: Vec<String> = rx
        .events()
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e["type"].as_str().unwrap(),
                e["data"]["object"]["payment_status"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        types,
        vec![
            "checkout.session.completed unpaid",
            "checkout.session.async_payment_succeeded paid",
            "checkout.session.completed unpaid",
            "checkout.session.async_payment_failed unpaid",
            "checkout.session.expired unpaid",
        ]
    );
    assert_eq!(
        rx.events()[4]["request"]["id"].as_str().unwrap()[..4],
        *"req_"
    );
}
