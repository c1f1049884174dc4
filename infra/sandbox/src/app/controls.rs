//! The hosted checkout page (`/checkout/{id}`) and the test controls
//! (`/_sandbox/…`).

use super::*;

impl App {
    // -------------------------------------------------------------- hosted page

    pub(super) fn checkout_page(&self, id: &str) -> Resp {
        let mut st = self.lock();
        self.expire_if_due(&mut st, id);
        match st.sessions.get(id) {
            Some(s) => html_resp(200, html::checkout(s)),
            None => html_resp(
                404,
                html::error(
                    "Checkout not found",
                    &format!("There is no Checkout Session {id}."),
                ),
            ),
        }
    }

    pub(super) fn checkout_pay(&self, id: &str, body: &Bytes) -> Resp {
        let email = form::parse(body)
            .ok()
            .and_then(|f| f.str_at(&["email"]).map(str::to_string));
        let mut st = self.lock();
        match self.complete(&mut st, id, true, email, true) {
            Ok(_) => {
                let s = &st.sessions[id];
                redirect(&s.success_url.replace("{CHECKOUT_SESSION_ID}", id))
            }
            Err(e) => html_resp(
                e.status,
                html::error("This payment cannot be made", &e.message),
            ),
        }
    }

    pub(super) fn checkout_cancel(&self, id: &str) -> Resp {
        let st = self.lock();
        match st.sessions.get(id) {
            Some(Session {
                cancel_url: Some(url),
                ..
            }) => redirect(url),
            Some(_) => html_resp(
                400,
                html::error(
                    "No cancel URL",
                    "This Checkout Session was created without a cancel_url.",
                ),
            ),
            None => html_resp(
                404,
                html::error(
                    "Checkout not found",
                    &format!("There is no Checkout Session {id}."),
                ),
            ),
        }
    }

    // -------------------------------------------------------------- /_sandbox

    pub(super) async fn controls(
        self: &Arc<Self>,
        method: &Method,
        segs: &[&str],
        query: &str,
        headers: &HeaderMap,
        body: &Bytes,
    ) -> Resp {
        let get = method == Method::GET;
        let post = method == Method::POST;
        let q = form::parse(query.as_bytes()).unwrap_or(Node::Map(Default::default()));
        let is_form = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        // JSON whatever the Content-Type says (`curl -d '{…}'` sends it as a
        // form); the overview page's buttons post empty forms.
        let looks_json = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
        let args: Value = if !looks_json && (is_form || body.iter().all(u8::is_ascii_whitespace)) {
            json!({})
        } else {
            match serde_json::from_slice(body) {
                Ok(v @ Value::Object(_)) => v,
                _ => {
                    return error_resp(&ApiError::new(
                        400,
                        Some("invalid_json"),
                        "The body must be a JSON object.",
                    ))
                }
            }
        };
        let deliver = args["deliver"].as_bool().unwrap_or(true);
        let result: Result<Value, ApiError> = match segs {
            [] | [""] if get => {
                let st = self.lock();
                let sessions: Vec<Value> = st
                    .sorted_sessions()
                    .into_iter()
                    .map(|s| {
                        let mut v = s.json(&self.cfg.public_url, false);
                        v["charge"] = json!(s.charge);
                        v
                    })
                    .collect();
                let events: Vec<Value> = st.events.iter().map(Event::summary).collect();
                return html_resp(
                    200,
                    html::overview(
                        &sessions,
                        &events,
                        self.cfg.webhook_url.as_deref(),
                        &self.cfg.public_url,
                    ),
                );
            }
            ["health"] if get => Ok(json!({"ok": true, "webhook_url": self.cfg.webhook_url})),
            ["events"] if get => {
                let st = self.lock();
                let type_ = q.str_at(&["type"]);
                let object_id = q.str_at(&["object_id"]);
                let events: Vec<Value> = st
                    .events
                    .iter()
                    .filter(|e| type_.is_none_or(|t| type_matches(t, &e.type_)))
                    .filter(|e| object_id.is_none_or(|o| e.object_id == o))
                    .map(Event::summary)
                    .collect();
                Ok(json!({ "events": events }))
            }
            ["events", id] if get => self
                .lock()
                .event(id)
                .map(Event::summary)
                .ok_or_else(|| ApiError::no_such(404, "event", id, "id")),
            ["checkout", "sessions"] if get => {
                let st = self.lock();
                let sessions: Vec<Value> = st
                    .sorted_sessions()
                    .into_iter()
                    .map(|s| self.session_view(&st, s))
                    .collect();
                Ok(json!({ "sessions": sessions }))
            }
            ["checkout", "sessions", id] if get => {
                let mut st = self.lock();
                self.expire_if_due(&mut st, id);
                st.sessions
                    .get(*id)
                    .map(|s| self.session_view(&st, s))
                    .ok_or_else(|| ApiError::no_such(404, "checkout.session", id, "id"))
            }
            ["checkout", "sessions", id, action] if post => {
                let mut st = self.lock();
                let r = match *action {
                    "complete" => {
                        let paid = match args["payment_status"].as_str() {
                            None | Some("paid") => Ok(true),
                            Some("unpaid") => Ok(false),
                            Some(other) => Err(ApiError::invalid(
                                "parameter_invalid_string",
                                "payment_status",
                                format!("payment_status must be paid or unpaid, not {other}"),
                            )),
                        };
                        paid.and_then(|paid| {
                            let email = args["email"].as_str().map(str::to_string);
                            self.complete(&mut st, id, paid, email, deliver)
                        })
                    }
                    "async_payment_succeeded" => self.async_result(&mut st, id, true, deliver),
                    "async_payment_failed" => self.async_result(&mut st, id, false, deliver),
                    "expire" => self.expire(&mut st, id, no_request(), deliver),
                    other => Err(ApiError::new(
                        404,
                        None,
                        format!("Unknown action {other}: use complete, async_payment_succeeded, async_payment_failed or expire."),
                    )),
                };
                r.map(|(_, ev)| {
                    let s = &st.sessions[*id];
                    let mut v = self.session_view(&st, s);
                    v["event_id"] = json!(ev);
                    v
                })
            }
            ["charges", id] if get => {
                let st = self.lock();
                st.charge_id(id)
                    .map(|cid| self.charge_view(&st, &cid))
                    .ok_or_else(|| ApiError::no_such(404, "charge", id, "id"))
            }
            ["charges", id, "refund"] if post => {
                let amount = match &args["amount"] {
                    Value::Null => Ok(None),
                    v => v.as_i64().map(Some).ok_or_else(|| {
                        ApiError::invalid(
                            "parameter_invalid_integer",
                            "amount",
                            "amount must be an integer number of cents",
                        )
                    }),
                };
                let mut st = self.lock();
                amount
                    .and_then(|amount| {
                        let reason = args["reason"].as_str().map(str::to_string);
                        self.refund(
                            &mut st,
                            id,
                            "charge",
                            amount,
                            reason,
                            Metadata::new(),
                            no_request(),
                            deliver,
                        )
                    })
                    .map(|(refund, ev)| {
                        let mut v = self.charge_view(&st, &refund.claim.charge);
                        v["refund"] = refund.json();
                        v["event_id"] = json!(ev);
                        v
                    })
            }
            ["charges", id, "dispute"] if post => {
                let reason = args["reason"].as_str().unwrap_or("fraudulent").to_string();
                let mut st = self.lock();
                self.dispute(&mut st, id, reason, deliver).map(|(d, ev)| {
                    let mut v = self.charge_view(&st, &d.claim.charge);
                    v["event_id"] = json!(ev);
                    v
                })
            }
            ["deliver"] if post => return self.deliver_many(&args).await,
            ["reset"] if post => {
                *self.lock() = State::default();
                eprintln!("reset: every session, charge and event is forgotten");
                if is_form {
                    return redirect("/_sandbox");
                }
                Ok(json!({"reset": true}))
            }
            ["idle"] if get => {
                let ms = q
                    .str_at(&["timeout_ms"])
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(5000)
                    .min(60_000);
                let deadline = Instant::now() + Duration::from_millis(ms);
                loop {
                    let pending = self.pending.load(Ordering::SeqCst);
                    if pending == 0 || Instant::now() >= deadline {
                        break Ok(json!({"idle": pending == 0, "pending": pending}));
                    }
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
            _ => Err(ApiError::new(
                404,
                Some("not_found"),
                format!(
                    "Unknown sandbox control {method} /_sandbox/{}; see infra/README.md.",
                    segs.join("/")
                ),
            )),
        };
        match result {
            Ok(v) => json_resp(200, &v),
            Err(e) => error_resp(&e),
        }
    }

    pub(super) fn session_view(&self, st: &State, s: &Session) -> Value {
        let events: Vec<&str> = st
            .events
            .iter()
            .filter(|e| e.object_id == s.id)
            .map(|e| e.id.as_str())
            .collect();
        json!({
            "session": s.json(&self.cfg.public_url, true),
            "charge": s.charge,
            "payment_intent": s.payment_intent,
            "events": events,
        })
    }

    pub(super) fn charge_view(&self, st: &State, cid: &str) -> Value {
        let c = &st.charges[cid];
        let refunds: Vec<Value> = st
            .refunds
            .iter()
            .filter(|r| r.claim.charge == cid)
            .map(Refund::json)
            .collect();
        let dispute = c
            .dispute
            .as_ref()
            .and_then(|d| st.disputes.get(d))
            .map(Dispute::json);
        json!({
            "charge": c.json(),
            "session": c.session,
            "refunds": refunds,
            "dispute": dispute,
        })
    }
}
