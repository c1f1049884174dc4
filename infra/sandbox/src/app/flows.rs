//! The state changes behind the API, the hosted page and the test
//! controls; each records its event.

use super::*;

impl App {
    // -------------------------------------------------------------- state changes

    /// Records an event and queues its delivery. Returns its id.
    pub(super) fn emit(
        &self,
        st: &mut State,
        type_: &str,
        object: Value,
        previous: Option<Value>,
        request: Value,
        deliver: bool,
    ) -> String {
        let id = new_id("evt_");
        let created = now();
        let object_id = object["id"].as_str().unwrap_or_default().to_string();
        let mut data = json!({ "object": object });
        if let Some(p) = previous {
            data["previous_attributes"] = p;
        }
        let event = json!({
            "id": id,
            "object": "event",
            "api_version": API_VERSION,
            "created": created,
            "data": data,
            "livemode": false,
            "pending_webhooks": if self.cfg.webhook_url.is_some() { 1 } else { 0 },
            "request": request,
            "type": type_,
        });
        // Stripe sends pretty-printed JSON; the bytes are fixed here and
        // every delivery of this event sends exactly them.
        let body = Bytes::from(serde_json::to_vec_pretty(&event).unwrap_or_default());
        st.event_index.insert(id.clone(), st.events.len());
        st.events.push(Event {
            id: id.clone(),
            type_: type_.to_string(),
            created,
            object_id: object_id.clone(),
            body,
            deliveries: Vec::new(),
        });
        let queued = deliver && self.cfg.webhook_url.is_some();
        eprintln!(
            "event {id} {type_} ({object_id}){}",
            if queued { "" } else { " not delivered" }
        );
        if queued {
            self.pending.fetch_add(1, Ordering::SeqCst);
            if self.queue.send(id.clone()).is_err() {
                self.pending.fetch_sub(1, Ordering::SeqCst);
            }
        }
        id
    }

    /// Expires a session that is past its `expires_at`.
    pub(super) fn expire_if_due(&self, st: &mut State, id: &str) {
        let due = st
            .sessions
            .get(id)
            .is_some_and(|s| s.status == SessionStatus::Open && s.expires_at <= now());
        if due {
            let _ = self.expire(st, id, no_request(), true);
        }
    }

    pub(super) fn expire(
        &self,
        st: &mut State,
        id: &str,
        request: Value,
        deliver: bool,
    ) -> Result<(Value, String), ApiError> {
        let s = st.session_mut(id)?;
        if s.status != SessionStatus::Open {
            return Err(ApiError::new(
                400,
                None,
                format!(
                    "Only Checkout Sessions with a status in [\"open\"] can be expired. This session is {}.",
                    s.status.as_str()
                ),
            ));
        }
        s.status = SessionStatus::Expired;
        let v = s.json(&self.cfg.public_url, false);
        let ev = self.emit(
            st,
            "checkout.session.expired",
            v.clone(),
            None,
            request,
            deliver,
        );
        Ok((v, ev))
    }

    /// Pay (or start a delayed payment): `checkout.session.completed`.
    pub(super) fn complete(
        &self,
        st: &mut State,
        id: &str,
        paid: bool,
        email: Option<String>,
        deliver: bool,
    ) -> Result<(Value, String), ApiError> {
        self.expire_if_due(st, id);
        let s = st.session_mut(id)?;
        if s.status != SessionStatus::Open {
            return Err(ApiError::conflict(format!(
                "Checkout Session {id} is {} (payment {}); only an open session can be paid.",
                s.status.as_str(),
                s.payment_status()
            )));
        }
        s.status = SessionStatus::Complete;
        s.payment_intent = Some(new_id("pi_3"));
        s.payer_email = email.filter(|e| !e.trim().is_empty());
        if paid {
            self.capture(st, id);
        }
        let v = st.sessions[id].json(&self.cfg.public_url, false);
        let ev = self.emit(
            st,
            "checkout.session.completed",
            v.clone(),
            None,
            no_request(),
            deliver,
        );
        Ok((v, ev))
    }

    /// The money arrives: the session becomes paid and gets its charge.
    pub(super) fn capture(&self, st: &mut State, id: &str) {
        let seq = st.next_seq();
        let s = st.sessions.get_mut(id).expect("caller checked");
        let charge = Charge {
            seq,
            id: new_id("ch_3"),
            created: now(),
            amount: s.amount_total,
            amount_refunded: 0,
            currency: s.currency.clone(),
            payment_intent: s.payment_intent.clone().unwrap_or_default(),
            session: s.id.clone(),
            metadata: s.pi_metadata.clone(),
            description: s.pi_description.clone(),
            email: s.email(),
            balance_transaction: new_id("txn_3"),
            payment_method: new_id("pm_1"),
            dispute: None,
            refunds: Vec::new(),
        };
        s.paid = true;
        s.charge = Some(charge.id.clone());
        st.charges.insert(charge.id.clone(), charge);
    }

    pub(super) fn async_result(
        &self,
        st: &mut State,
        id: &str,
        succeeded: bool,
        deliver: bool,
    ) -> Result<(Value, String), ApiError> {
        let s = st.session_mut(id)?;
        // `async_payment_succeeded` on a session paid right away is allowed
        // (Stripe would not send it): a second credit-triggering event for
        // one session, to test that a purchase is credited once.
        let already_paid = succeeded && s.paid && !s.async_failed;
        if s.status != SessionStatus::Complete || (s.paid && !already_paid) || s.async_failed {
            return Err(ApiError::conflict(format!(
                "Checkout Session {id} is {} (payment {}{}); a delayed payment can only finish on a complete, unpaid session (complete it with payment_status=unpaid first).",
                s.status.as_str(),
                s.payment_status(),
                if s.async_failed { ", failed" } else { "" }
            )));
        }
        let type_ = if succeeded {
            if !already_paid {
                self.capture(st, id);
            }
            "checkout.session.async_payment_succeeded"
        } else {
            s.async_failed = true;
            "checkout.session.async_payment_failed"
        };
        let v = st.sessions[id].json(&self.cfg.public_url, false);
        let ev = self.emit(st, type_, v.clone(), None, no_request(), deliver);
        Ok((v, ev))
    }

    /// A (partial) refund: `charge.refunded` with the cumulative
    /// `amount_refunded`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn refund(
        &self,
        st: &mut State,
        target: &str,
        param: &str,
        amount: Option<i64>,
        reason: Option<String>,
        meta: Metadata,
        request: Value,
        deliver: bool,
    ) -> Result<(Refund, String), ApiError> {
        let Some(cid) = st.charge_id(target) else {
            let open_pi = st
                .sessions
                .values()
                .any(|s| s.payment_intent.as_deref() == Some(target));
            if open_pi {
                return Err(ApiError::new(
                    400,
                    Some("charge_not_refundable"),
                    format!("PaymentIntent {target} does not have a successful charge to refund."),
                )
                .param(param));
            }
            let what = if target.starts_with("pi_") {
                "payment_intent"
            } else {
                "charge"
            };
            return Err(ApiError::no_such(400, what, target, param));
        };
        let c = st.charges.get_mut(&cid).expect("found above");
        if c.dispute.is_some() {
            return Err(ApiError::new(
                400,
                Some("charge_disputed"),
                format!("Charge {cid} has been charged back; cannot issue a refund."),
            ));
        }
        let left = c.amount - c.amount_refunded;
        if left <= 0 {
            return Err(ApiError::new(
                400,
                Some("charge_already_refunded"),
                format!("Charge {cid} has already been refunded."),
            ));
        }
        let amount = amount.unwrap_or(left);
        if amount <= 0 {
            return Err(ApiError::invalid(
                "parameter_invalid_integer",
                "amount",
                "This value must be greater than or equal to 1.",
            ));
        }
        if amount > left {
            return Err(ApiError::invalid(
                "amount_too_large",
                "amount",
                format!(
                    "Refund amount ({}) is greater than unrefunded amount on charge ({})",
                    format_amount(amount, &c.currency),
                    format_amount(left, &c.currency)
                ),
            ));
        }
        let before = c.amount_refunded;
        let was_refunded = c.refunded();
        c.amount_refunded += amount;
        let refund = Refund {
            claim: ChargeClaim::on(c, new_id("re_3"), now(), amount),
            reason,
            metadata: meta,
            balance_transaction: new_id("txn_3"),
        };
        c.refunds.push(refund.claim.id.clone());
        let mut previous = json!({ "amount_refunded": before });
        if c.refunded() != was_refunded {
            previous["refunded"] = json!(was_refunded);
        }
        let object = c.json();
        st.refunds.push(refund.clone());
        let ev = self.emit(
            st,
            "charge.refunded",
            object,
            Some(previous),
            request,
            deliver,
        );
        Ok((refund, ev))
    }

    pub(super) fn dispute(
        &self,
        st: &mut State,
        target: &str,
        reason: String,
        deliver: bool,
    ) -> Result<(Dispute, String), ApiError> {
        let cid = st
            .charge_id(target)
            .ok_or_else(|| ApiError::no_such(404, "charge", target, "charge"))?;
        let c = st.charges.get_mut(&cid).expect("found above");
        if let Some(d) = &c.dispute {
            return Err(ApiError::conflict(format!(
                "Charge {cid} is already disputed ({d})."
            )));
        }
        let created = now();
        let d = Dispute {
            claim: ChargeClaim::on(c, new_id("dp_1"), created, c.amount),
            reason,
            status: "needs_response".into(),
            due_by: created + 9 * 24 * 3600,
        };
        c.dispute = Some(d.claim.id.clone());
        st.disputes.insert(d.claim.id.clone(), d.clone());
        let ev = self.emit(
            st,
            "charge.dispute.created",
            d.json(),
            None,
            no_request(),
            deliver,
        );
        Ok((d, ev))
    }
}
