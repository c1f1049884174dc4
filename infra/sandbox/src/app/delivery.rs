//! Webhook delivery: signed POSTs of each event's exact bytes, retries,
//! and the session expiry sweeper.

use super::*;

impl App {
    // -------------------------------------------------------------- delivery

    /// One signed POST of an event's exact bytes; recorded. `None` if the
    /// event is gone (reset) or there is no webhook URL.
    pub(super) async fn deliver_once(
        &self,
        event_id: &str,
        kind: &'static str,
        signing: Signing,
    ) -> Option<Result<u16, String>> {
        let url = self.cfg.webhook_url.as_ref()?;
        let (body, type_) = {
            let st = self.lock();
            let e = st.event(event_id)?;
            (e.body.clone(), e.type_.clone())
        };
        let t = now();
        let sig = match signing {
            Signing::Valid => Some(signature::header(&self.cfg.webhook_secret, t, &body)),
            Signing::WrongSecret => Some(signature::header("whsec_not_the_secret", t, &body)),
            Signing::Stale => Some(signature::header(&self.cfg.webhook_secret, t - 600, &body)),
            Signing::None => None,
        };
        let at_ms = now_ms();
        let started = Instant::now();
        let mut request = self
            .http
            .post(url)
            .header(header::CONTENT_TYPE, "application/json; charset=utf-8");
        if let Some(sig) = sig {
            request = request.header("Stripe-Signature", sig);
        }
        let result = request
            .header(header::USER_AGENT, WEBHOOK_USER_AGENT)
            .header(header::ACCEPT, "*/*; q=0.5, application/xml")
            .header(header::CACHE_CONTROL, "no-cache")
            .timeout(self.cfg.delivery_timeout)
            .body(body)
            .send()
            .await;
        let outcome = match result {
            Ok(r) => {
                let status = r.status().as_u16();
                let _ = r.bytes().await;
                Ok(status)
            }
            Err(e) if e.is_timeout() => Err("timed out".to_string()),
            Err(e) if e.is_connect() => {
                // The innermost cause says it best ("Connection refused …").
                let mut cause: &dyn std::error::Error = &e;
                while let Some(next) = cause.source() {
                    cause = next;
                }
                Err(format!("connection failed: {cause}"))
            }
            Err(e) => Err(e.to_string()),
        };
        let ms = started.elapsed().as_millis() as u64;
        eprintln!(
            "webhook {event_id} {type_} -> {} ({ms} ms, {kind})",
            match &outcome {
                Ok(s) => s.to_string(),
                Err(e) => e.clone(),
            }
        );
        let mut st = self.lock();
        if let Some(&i) = st.event_index.get(event_id) {
            st.events[i].deliveries.push(Attempt {
                kind,
                at_ms,
                status: outcome.as_ref().ok().copied(),
                error: outcome.as_ref().err().cloned(),
                ms,
            });
        }
        Some(outcome)
    }

    pub(super) async fn deliver_many(self: &Arc<Self>, args: &Value) -> Resp {
        let bad = |m: &str, p: &str| error_resp(&ApiError::invalid("parameter_invalid", p, m));
        let Some(ids) = args["event_ids"].as_array() else {
            return error_resp(&ApiError::missing("event_ids"));
        };
        let ids: Option<Vec<String>> = ids.iter().map(|v| v.as_str().map(str::to_string)).collect();
        let Some(mut ids) = ids else {
            return bad("event_ids must be a list of event ids", "event_ids");
        };
        let times = match &args["times"] {
            Value::Null => 1,
            v => match v.as_u64() {
                Some(n @ 1..=100) => n as usize,
                _ => return bad("times must be an integer from 1 to 100", "times"),
            },
        };
        let concurrent = args["concurrent"].as_bool().unwrap_or(false);
        let order = args["order"].as_str().unwrap_or("as_given");
        if !matches!(order, "as_given" | "reverse" | "shuffle") {
            return bad("order must be as_given, reverse or shuffle", "order");
        }
        let signing = match args["signature"].as_str().unwrap_or("valid") {
            "valid" => Signing::Valid,
            "wrong_secret" => Signing::WrongSecret,
            "stale" => Signing::Stale,
            "none" => Signing::None,
            _ => {
                return bad(
                    "signature must be valid, wrong_secret, stale or none",
                    "signature",
                )
            }
        };
        {
            let st = self.lock();
            let unknown: Vec<&String> = ids.iter().filter(|i| st.event(i).is_none()).collect();
            if !unknown.is_empty() {
                return error_resp(&ApiError::new(
                    404,
                    Some("resource_missing"),
                    format!("No such event(s): {unknown:?}"),
                ));
            }
        }
        if self.cfg.webhook_url.is_none() {
            return error_resp(&ApiError::conflict(
                "The sandbox has no webhook URL (--webhook-url), so it cannot deliver.",
            ));
        }
        if order == "reverse" {
            ids.reverse();
        }
        let mut sequence: Vec<String> = Vec::with_capacity(ids.len() * times);
        for _ in 0..times {
            sequence.extend(ids.iter().cloned());
        }
        if order == "shuffle" {
            sequence.shuffle(&mut rand::thread_rng());
        }
        let mut outcomes = Vec::with_capacity(sequence.len());
        if concurrent {
            let handles: Vec<_> = sequence
                .iter()
                .map(|id| {
                    let app = self.clone();
                    let id = id.clone();
                    tokio::spawn(async move { app.deliver_once(&id, "manual", signing).await })
                })
                .collect();
            for h in handles {
                outcomes.push(h.await.ok().flatten());
            }
        } else {
            for id in &sequence {
                outcomes.push(self.deliver_once(id, "manual", signing).await);
            }
        }
        let results: Vec<Value> = sequence
            .iter()
            .zip(outcomes)
            .map(|(id, o)| match o {
                Some(Ok(status)) => json!({"event_id": id, "status": status}),
                Some(Err(e)) => json!({"event_id": id, "status": null, "error": e}),
                None => json!({"event_id": id, "status": null, "error": "event gone (reset)"}),
            })
            .collect();
        json_resp(200, &Value::Array(results))
    }

    pub(super) fn delivery_done(&self) {
        self.pending.fetch_sub(1, Ordering::SeqCst);
    }
}

/// How a delivery is signed: correctly, or broken on purpose
/// (`/_sandbox/deliver` `"signature"`) to test the receiver's checks.
#[derive(Debug, Clone, Copy)]
pub(super) enum Signing {
    Valid,
    /// Signed with another secret.
    WrongSecret,
    /// `t` ten minutes in the past (outside the 300 s tolerance).
    Stale,
    /// No `Stripe-Signature` header.
    None,
}

/// First attempts go out one at a time in event order; a failed event is
/// retried in the background (`retry_delays`) without holding up the rest.
pub(super) async fn delivery_worker(app: Arc<App>, mut rx: mpsc::UnboundedReceiver<String>) {
    while let Some(id) = rx.recv().await {
        match app.deliver_once(&id, "auto", Signing::Valid).await {
            Some(Err(_)) => {}
            Some(Ok(s)) if !(200..300).contains(&s) => {}
            _ => {
                app.delivery_done();
                continue;
            }
        }
        let app = app.clone();
        tokio::spawn(async move {
            for d in app.cfg.retry_delays.clone() {
                tokio::time::sleep(d).await;
                match app.deliver_once(&id, "retry", Signing::Valid).await {
                    Some(Ok(s)) if (200..300).contains(&s) => break,
                    None => break,
                    _ => {}
                }
            }
            app.delivery_done();
        });
    }
}

/// Expires open sessions past their `expires_at` (`checkout.session.expired`).
pub(super) async fn expiry_sweeper(app: Arc<App>) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tick.tick().await;
        let mut st = app.lock();
        let t = now();
        let due: Vec<String> = st
            .sessions
            .values()
            .filter(|s| s.status == SessionStatus::Open && s.expires_at <= t)
            .map(|s| s.id.clone())
            .collect();
        for id in due {
            let _ = app.expire(&mut st, &id, no_request(), true);
        }
    }
}
