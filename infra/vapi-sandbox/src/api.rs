//! Vapi's REST API (reference §3): `/assistant`, `/tool`, `/phone-number`,
//! `/v2/phone-number`, `/call`, `/call/{id}` and `POST /call/web`, with the
//! Bearer key check and NestJS error bodies.

use crate::app::{
    bad_request, json_object, json_resp, nest_error, App, Number, Resp, State, MAX_NUMBERS,
};
use crate::call::Call;
use crate::util::{iso, new_uuid, now_ms, query_get, query_pairs};
use crate::validate;
use hyper::{HeaderMap, Method};
use rand::Rng;
use serde_json::{json, Map, Value};
use std::sync::Arc;

const INVALID_KEY: &str =
    "Invalid Key. Hot tip, you may be using the private key instead of the public key, or vice versa.";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Coll {
    Assistant,
    Tool,
    Number,
}

impl Coll {
    fn label(self) -> &'static str {
        match self {
            Coll::Assistant => "Assistant",
            Coll::Tool => "Tool",
            Coll::Number => "Phone Number",
        }
    }
}

enum Route<'a> {
    List(Coll),
    Create(Coll),
    Get(Coll, &'a str),
    Patch(Coll, &'a str),
    Delete(Coll, &'a str),
    NumbersV2,
    Calls,
    CallGet(&'a str),
    CallWeb,
}

fn route<'a>(method: &Method, segs: &[&'a str]) -> Option<Route<'a>> {
    let coll = |s: &str| match s {
        "assistant" => Some(Coll::Assistant),
        "tool" => Some(Coll::Tool),
        "phone-number" => Some(Coll::Number),
        _ => None,
    };
    let m = method.as_str();
    Some(match (m, segs) {
        ("GET", ["v2", "phone-number"]) => Route::NumbersV2,
        ("GET", ["call"]) => Route::Calls,
        ("POST", ["call", "web"]) => Route::CallWeb,
        ("GET", ["call", id]) => Route::CallGet(id),
        ("GET", [c]) => Route::List(coll(c)?),
        ("POST", [c]) => Route::Create(coll(c)?),
        ("GET", [c, id]) => Route::Get(coll(c)?, id),
        ("PATCH", [c, id]) => Route::Patch(coll(c)?, id),
        ("DELETE", [c, id]) => Route::Delete(coll(c)?, id),
        _ => return None,
    })
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get("authorization")?.to_str().ok()?.trim();
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

fn not_found(c: Coll) -> Resp {
    nest_error(404, format!("{} not found", c.label()))
}

/// `?limit=`: 0–1000, default 100.
fn limit(pairs: &[(String, String)]) -> Result<usize, String> {
    match query_get(pairs, "limit") {
        None => Ok(100),
        Some(s) => match s.parse::<f64>() {
            Ok(n) if n < 0.0 => Err("limit must not be less than 0".into()),
            Ok(n) if n > 1000.0 => Err("limit must not be greater than 1000".into()),
            Ok(n) => Ok(n as usize),
            Err(_) => Err("limit must be a number conforming to the specified constraints".into()),
        },
    }
}

/// Top-level merge: nested objects are replaced whole; `null` removes.
fn merge(obj: &mut Value, patch: Map<String, Value>) {
    if let Some(o) = obj.as_object_mut() {
        for (k, v) in patch {
            if v.is_null() {
                o.remove(&k);
            } else {
                o.insert(k, v);
            }
        }
        o.insert("updatedAt".into(), json!(iso(now_ms())));
    }
}

impl App {
    fn stamp(&self, mut body: Map<String, Value>) -> Value {
        let now = iso(now_ms());
        body.insert("id".into(), json!(new_uuid()));
        body.insert("orgId".into(), json!(self.cfg.org_id));
        body.insert("createdAt".into(), json!(now));
        body.insert("updatedAt".into(), json!(now));
        Value::Object(body)
    }

    pub(crate) fn api(
        self: &Arc<Self>,
        method: &Method,
        path: &str,
        segs: &[&str],
        query: &str,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Resp {
        let Some(r) = route(method, segs) else {
            return nest_error(404, format!("Cannot {method} {path}"));
        };
        let key = bearer(headers);
        let allowed = key == Some(self.cfg.api_key.as_str())
            || matches!(r, Route::CallWeb) && key == Some(self.cfg.public_key.as_str());
        if !allowed {
            return nest_error(401, INVALID_KEY);
        }
        let pairs = query_pairs(query);
        let parse = || json_object(body);
        match r {
            Route::List(c) => {
                let n = match limit(&pairs) {
                    Ok(n) => n,
                    Err(m) => return bad_request(vec![m]),
                };
                json_resp(200, &Value::Array(self.list(c, n)))
            }
            Route::NumbersV2 => self.numbers_v2(&pairs),
            Route::Get(c, id) => match self.get(c, id) {
                Some(v) => json_resp(200, &v),
                None => not_found(c),
            },
            Route::Delete(c, id) => {
                let mut st = self.lock();
                let removed = match c {
                    Coll::Assistant => take(&mut st.assistants, id),
                    Coll::Tool => take(&mut st.tools, id),
                    Coll::Number => st
                        .numbers
                        .iter()
                        .position(|n| n.id() == id)
                        .map(|i| st.numbers.remove(i).view(self.cfg.activation)),
                };
                match removed {
                    Some(v) => json_resp(200, &v),
                    None => not_found(c),
                }
            }
            Route::Create(c) => match parse() {
                Ok(b) => self.create(c, b),
                Err(m) => nest_error(400, m),
            },
            Route::Patch(c, id) => match parse() {
                Ok(b) => self.patch(c, id, b),
                Err(m) => nest_error(400, m),
            },
            Route::Calls => self.calls(&pairs),
            Route::CallGet(id) => match self.lock().call(id) {
                Some(c) => json_resp(200, &c.vapi_object(&self.cfg.org_id)),
                None => nest_error(404, "Call not found"),
            },
            Route::CallWeb => match parse() {
                Ok(b) => self.web_call(b),
                Err(m) => nest_error(400, m),
            },
        }
    }

    fn list(&self, c: Coll, n: usize) -> Vec<Value> {
        let st = self.lock();
        match c {
            Coll::Assistant => st.assistants.iter().rev().take(n).cloned().collect(),
            Coll::Tool => st.tools.iter().rev().take(n).cloned().collect(),
            Coll::Number => st
                .numbers
                .iter()
                .rev()
                .take(n)
                .map(|x| x.view(self.cfg.activation))
                .collect(),
        }
    }

    fn get(&self, c: Coll, id: &str) -> Option<Value> {
        let st = self.lock();
        match c {
            Coll::Assistant => st.assistant(id).cloned(),
            Coll::Tool => st.tool(id).cloned(),
            Coll::Number => st.number(id).map(|n| n.view(self.cfg.activation)),
        }
    }

    fn numbers_v2(&self, pairs: &[(String, String)]) -> Resp {
        let per_page = match limit(pairs) {
            Ok(n) => n.max(1),
            Err(m) => return bad_request(vec![m]),
        };
        let page = match query_get(pairs, "page").map(str::parse::<usize>) {
            None => 1,
            Some(Ok(p)) if p >= 1 => p,
            Some(_) => return bad_request(vec!["page must not be less than 1".into()]),
        };
        let all = self.list(Coll::Number, usize::MAX);
        let total = all.len();
        let results: Vec<Value> = all
            .into_iter()
            .skip((page - 1).saturating_mul(per_page))
            .take(per_page)
            .collect();
        json_resp(
            200,
            &json!({"results": results,
                    "metadata": {"itemsPerPage": per_page, "currentPage": page, "totalItems": total}}),
        )
    }

    fn create(&self, c: Coll, mut body: Map<String, Value>) -> Resp {
        match c {
            Coll::Assistant => {
                let errs = validate::assistant(&body, false);
                if !errs.is_empty() {
                    return bad_request(errs);
                }
                let v = self.stamp(body);
                self.lock().assistants.push(v.clone());
                json_resp(201, &v)
            }
            Coll::Tool => {
                let errs = validate::tool(&body, false, None);
                if !errs.is_empty() {
                    return bad_request(errs);
                }
                if body.get("type").and_then(Value::as_str) == Some("function") {
                    body.entry("async").or_insert(json!(false));
                    body.entry("messages").or_insert(json!([]));
                }
                let v = self.stamp(body);
                self.lock().tools.push(v.clone());
                json_resp(201, &v)
            }
            Coll::Number => self.create_number(body),
        }
    }

    fn create_number(&self, mut body: Map<String, Value>) -> Resp {
        let errs = validate::phone_number_create(&body);
        if !errs.is_empty() {
            return bad_request(errs);
        }
        let mut st = self.lock();
        if st.numbers.len() >= MAX_NUMBERS {
            return bad_request(vec![format!(
                "Phone number limit reached: this sandbox holds at most {MAX_NUMBERS} numbers. Delete one first."
            )]);
        }
        let vapi = body["provider"] == "vapi";
        if vapi {
            let area = body
                .get("numberDesiredAreaCode")
                .and_then(Value::as_str)
                .unwrap_or("415")
                .to_string();
            let Some(number) = allocate(&st, &area) else {
                return bad_request(vec![format!(
                    "No numbers left in area code {area}; try another numberDesiredAreaCode"
                )]);
            };
            body.insert("numberDesiredAreaCode".into(), json!(area));
            body.insert("number".into(), json!(number));
        } else {
            let number = body["number"].as_str().unwrap_or_default().to_string();
            if st.numbers.iter().any(|n| n.number() == number) {
                return bad_request(vec![format!(
                    "Phone number {number} already exists in this org"
                )]);
            }
        }
        let obj = self.stamp(body);
        let n = Number {
            obj,
            created_ms: now_ms(),
            activated: !vapi,
        };
        let view = n.view(self.cfg.activation);
        st.numbers.push(n);
        json_resp(201, &view)
    }

    fn patch(&self, c: Coll, id: &str, body: Map<String, Value>) -> Resp {
        let mut st = self.lock();
        match c {
            Coll::Assistant => {
                let Some(a) = st.assistants.iter_mut().find(|a| a["id"] == id) else {
                    return not_found(c);
                };
                let errs = validate::assistant(&body, true);
                if !errs.is_empty() {
                    return bad_request(errs);
                }
                merge(a, body);
                json_resp(200, a)
            }
            Coll::Tool => {
                let Some(t) = st.tools.iter_mut().find(|t| t["id"] == id) else {
                    return not_found(c);
                };
                let errs = validate::tool(&body, true, t["type"].as_str());
                if !errs.is_empty() {
                    return bad_request(errs);
                }
                merge(t, body);
                json_resp(200, t)
            }
            Coll::Number => {
                let Some(i) = st.numbers.iter().position(|n| n.id() == id) else {
                    return not_found(c);
                };
                let provider = st.numbers[i].obj["provider"]
                    .as_str()
                    .unwrap_or("vapi")
                    .to_string();
                let errs = validate::phone_number_update(&body, &provider);
                if !errs.is_empty() {
                    return bad_request(errs);
                }
                if let Some(num) = body.get("number").and_then(Value::as_str) {
                    if st.numbers.iter().any(|n| n.number() == num && n.id() != id) {
                        return bad_request(vec![format!(
                            "Phone number {num} already exists in this org"
                        )]);
                    }
                }
                merge(&mut st.numbers[i].obj, body);
                json_resp(200, &st.numbers[i].view(self.cfg.activation))
            }
        }
    }

    fn calls(&self, pairs: &[(String, String)]) -> Resp {
        let n = match limit(pairs) {
            Ok(n) => n,
            Err(m) => return bad_request(vec![m]),
        };
        let id = query_get(pairs, "id");
        let assistant_id = query_get(pairs, "assistantId");
        let number_id = query_get(pairs, "phoneNumberId");
        let st = self.lock();
        let calls: Vec<Value> = st
            .calls
            .iter()
            .rev()
            .filter(|c| id.is_none_or(|i| c.id == i))
            .filter(|c| assistant_id.is_none_or(|a| c.assistant_id.as_deref() == Some(a)))
            .filter(|c| number_id.is_none_or(|p| c.phone_number_id.as_deref() == Some(p)))
            .take(n)
            .map(|c| c.vapi_object(&self.cfg.org_id))
            .collect();
        json_resp(200, &Value::Array(calls))
    }

    fn web_call(&self, body: Map<String, Value>) -> Resp {
        let allowed = [
            "assistantId",
            "assistant",
            "assistantOverrides",
            "squadId",
            "squad",
            "workflowId",
            "workflow",
            "workflowOverrides",
            "roomDeleteOnUserLeaveEnabled",
        ];
        let mut errs: Vec<String> = body
            .keys()
            .filter(|k| !allowed.contains(&k.as_str()))
            .map(|k| format!("property {k} should not exist"))
            .collect();
        let mut assistant = None;
        let mut assistant_id = None;
        match (body.get("assistantId"), body.get("assistant")) {
            (Some(Value::String(id)), _) => {
                if self.lock().assistant(id).is_none() {
                    return bad_request(vec![format!(
                        "Couldn't Get Assistant. `assistantId` {id} Does Not Exist."
                    )]);
                }
                assistant_id = Some(id.clone());
            }
            (Some(_), _) => errs.push("assistantId must be a string".into()),
            (None, Some(Value::Object(a))) => {
                errs.extend(
                    validate::assistant(a, false)
                        .into_iter()
                        .map(|m| format!("assistant.{m}")),
                );
                assistant = Some(Value::Object(a.clone()));
            }
            (None, Some(_)) => errs.push("assistant must be an object".into()),
            (None, None) => {
                if !["squadId", "squad", "workflowId", "workflow"]
                    .iter()
                    .any(|k| body.contains_key(*k))
                {
                    errs.push("Need Either `assistant`, `assistantId`, `squad`, `squadId`, `workflow`, or `workflowId`.".into());
                }
            }
        }
        if let Some(o) = body.get("assistantOverrides") {
            if !o.is_object() {
                errs.push("assistantOverrides must be an object".into());
            }
        }
        if !errs.is_empty() {
            return bad_request(errs);
        }
        let call = Call::web(&self.cfg.public_url, assistant_id, assistant);
        let v = call.vapi_object(&self.cfg.org_id);
        self.lock().put_call(call);
        json_resp(201, &v)
    }
}

fn take(list: &mut Vec<Value>, id: &str) -> Option<Value> {
    let i = list.iter().position(|v| v["id"] == id)?;
    Some(list.remove(i))
}

/// A free `+1<area>555<4 digits>` number.
fn allocate(st: &State, area: &str) -> Option<String> {
    let taken = |n: &str| st.numbers.iter().any(|x| x.number() == n);
    let mut rng = rand::thread_rng();
    for _ in 0..200 {
        let n = format!("+1{area}555{:04}", rng.gen_range(0..10000));
        if !taken(&n) {
            return Some(n);
        }
    }
    (0..10000)
        .map(|i| format!("+1{area}555{i:04}"))
        .find(|n| !taken(n))
}
