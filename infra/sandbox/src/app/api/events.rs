//! Events: `GET /v1/events` (`type`, `types[]` with `*` wildcards,
//! `delivery_success`) and `GET /v1/events/{id}`, each the exact JSON that
//! was (or would have been) delivered.

use super::*;

pub(super) fn list_events(st: &State, ctx: &Ctx) -> Result<Value, ApiError> {
    let q = &ctx.query;
    let mut types: Vec<&str> = q.get(&["types"]).map(Node::strings).unwrap_or_default();
    if let Some(t) = q.str_at(&["type"]) {
        types.push(t);
    }
    let delivery_success = q.str_at(&["delivery_success"]);
    let data: Vec<Value> = st
        .events
        .iter()
        .rev()
        .filter(|e| types.is_empty() || types.iter().any(|t| type_matches(t, &e.type_)))
        .filter(|e| match delivery_success {
            Some("true") => e.delivered(),
            Some("false") => !e.delivered(),
            _ => true,
        })
        .map(|e| serde_json::from_slice(&e.body).unwrap_or(Value::Null))
        .collect();
    list(data, "/v1/events", q)
}

pub(super) fn retrieve_event(st: &State, id: &str) -> Result<Value, ApiError> {
    st.event(id)
        .map(|e| serde_json::from_slice(&e.body).unwrap_or(Value::Null))
        .ok_or_else(|| ApiError::no_such(404, "event", id, "id"))
}
