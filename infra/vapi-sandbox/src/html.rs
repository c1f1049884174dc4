//! The `/_sandbox` pages: the overview with a "Call this number" form per
//! number, the live call view, and the web-call placeholder. Everything
//! shown is escaped.

use crate::app::Config;
use crate::sim::Scenario;
use serde_json::Value;

use kmx_sandbox_kit::html::escape;

fn s(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => escape(s),
        other => escape(&other.to_string()),
    }
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:52em;margin:2em auto;padding:0 1em;color:#1d2433}
.box{border:1px solid #dde2ea;border-radius:8px;padding:1em 1.2em;margin:1em 0}
.box.selected{border:2px solid #5b4cdb;background:#f7f6ff}
.badge{display:inline-block;border-radius:4px;padding:0 .4em;font-size:.8em;background:#e6e9ef}
.badge.active{background:#d3f5dd;color:#14532d}.badge.activating{background:#ffe8a3;color:#5d4200}
.badge.ended{background:#e6e9ef}.badge.in-progress,.badge.ringing{background:#d6e8ff;color:#0b3d91}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.3em .4em;border-bottom:1px solid #e3e8ee;vertical-align:top;font-size:.92em}
button{font-size:1em;padding:.45em 1.1em;border-radius:6px;border:1px solid #5b4cdb;background:#5b4cdb;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#5b4cdb}
input,select{font-size:1em;padding:.3em;margin:.2em .4em .2em 0}
.chat{display:flex;flex-direction:column;gap:.4em}
.msg{max-width:75%;padding:.5em .8em;border-radius:12px;white-space:pre-wrap}
.msg.bot{align-self:flex-start;background:#eef0f5}
.msg.user{align-self:flex-end;background:#5b4cdb;color:#fff}
.msg.tool{align-self:center;background:#fff7e0;font-family:monospace;font-size:.85em}
.who{font-size:.75em;opacity:.7;display:block}
.err{color:#b4153c}.muted{color:#6b7385;font-size:.9em}code{font-size:.9em}";

fn page(title: &str, body: &str, refresh: bool) -> String {
    let meta = if refresh {
        "<meta http-equiv=\"refresh\" content=\"1\">"
    } else {
        ""
    };
    kmx_sandbox_kit::html::page(title, meta, STYLE, body)
}

pub fn error(title: &str, message: &str) -> String {
    page(
        title,
        &format!(
            "<h1>{}</h1><p class=\"err\" id=\"error\">{}</p><p><a href=\"/_sandbox\">Back to the Vapi sandbox</a></p>",
            escape(title),
            escape(message)
        ),
        false,
    )
}

fn dial_form(n: &Value) -> String {
    let mut options = String::new();
    for sc in Scenario::ALL {
        options.push_str(&format!(
            "<option value=\"{}\">{} ({})</option>",
            sc.as_str(),
            escape(sc.label()),
            sc.as_str()
        ));
    }
    let status = n["status"].as_str().unwrap_or_default();
    let activate = if status == "active" {
        String::new()
    } else {
        format!(
            "<form method=\"post\" action=\"/_sandbox/numbers/{}/activate\" style=\"display:inline\">\
             <button class=\"secondary\" type=\"submit\">Activate now</button></form>",
            s(&n["id"])
        )
    };
    let routing = match (n["assistantId"].as_str(), n["server"]["url"].as_str()) {
        (Some(a), _) => format!("assistant <code>{}</code>", escape(a)),
        (None, Some(u)) => format!("assistant-request to <code>{}</code>", escape(u)),
        (None, None) => "assistant-request to the org server URL".into(),
    };
    format!(
        "<h3><span class=\"number\">{num}</span> <span class=\"badge {st}\">{st}</span></h3>\
         <p class=\"muted\">{name} · id <code>{id}</code> · {routing}</p>{activate}\
         <form method=\"post\" action=\"/_sandbox/dial\">\
         <input type=\"hidden\" name=\"number\" value=\"{num}\">\
         <label>Scenario <select name=\"scenario\">{options}</select></label>\
         <label>Question <input name=\"question\" placeholder=\"Do you have parking?\"></label>\
         <button type=\"submit\">Call this number</button></form>",
        num = s(&n["number"]),
        st = escape(status),
        name = match n["name"].as_str() {
            Some(x) if !x.is_empty() => escape(x),
            _ => "(no name)".into(),
        },
        id = s(&n["id"]),
    )
}

fn calls_table(calls: &[Value]) -> String {
    if calls.is_empty() {
        return "<p class=\"muted\">No calls yet.</p>".into();
    }
    let mut rows = String::new();
    for c in calls {
        rows.push_str(&format!(
            "<tr><td><a href=\"/_sandbox/calls/{id}/view\">{short}</a></td><td>{num}</td><td>{sc}</td>\
             <td><span class=\"badge {st}\">{st}</span></td><td>{reason}</td><td>{problems}</td></tr>",
            id = s(&c["id"]),
            short = escape(&c["id"].as_str().unwrap_or_default().chars().take(8).collect::<String>()),
            num = s(&c["number"]),
            sc = s(&c["scenario"]),
            st = s(&c["status"]),
            reason = s(&c["ended_reason"]),
            problems = c["problems"].as_array().map_or(0, Vec::len),
        ));
    }
    format!(
        "<table id=\"calls\"><tr><th>call</th><th>number</th><th>scenario</th><th>status</th>\
         <th>ended reason</th><th>problems</th></tr>{rows}</table>"
    )
}

/// `GET /_sandbox[?number=+1…]`.
pub fn overview(
    numbers: &[Value],
    calls: &[Value],
    selected: Option<&str>,
    cfg: &Config,
) -> String {
    let mut body = String::from("<h1>Kametrix Vapi sandbox</h1>");
    body.push_str(&format!(
        "<p class=\"muted\">API base <code>{}</code> · org <code>{}</code> · server URL <code>{}</code> · auth <code>{}</code></p>",
        escape(&cfg.public_url),
        escape(&cfg.org_id),
        escape(cfg.server_url.as_deref().unwrap_or("(none)")),
        cfg.auth.as_str()
    ));
    if let Some(sel) = selected {
        match numbers.iter().find(|n| n["number"] == sel) {
            Some(n) => body.push_str(&format!(
                "<div class=\"box selected\" id=\"selected\">{}</div>",
                dial_form(n)
            )),
            None => body.push_str(&format!(
                "<div class=\"box selected\" id=\"selected\"><p class=\"err\">No phone number {} in this sandbox.</p></div>",
                escape(sel)
            )),
        }
    }
    body.push_str("<h2>Phone numbers</h2>");
    if numbers.is_empty() {
        body.push_str("<p class=\"muted\">No phone numbers yet: create one with <code>POST /phone-number</code>.</p>");
    }
    for n in numbers
        .iter()
        .filter(|n| Some(n["number"].as_str().unwrap_or_default()) != selected)
    {
        body.push_str(&format!("<div class=\"box\">{}</div>", dial_form(n)));
    }
    body.push_str("<h2>Recent calls</h2>");
    body.push_str(&calls_table(calls));
    page("Vapi sandbox", &body, false)
}

/// `GET /_sandbox/calls/{id}/view`.
pub fn call_view(c: &Value) -> String {
    let ended = c["status"] == "ended";
    let mut body = format!(
        "<p><a href=\"/_sandbox\">← Vapi sandbox</a></p>\
         <h1>Call to {num}</h1>\
         <p>Scenario <code>{sc}</code> · caller {caller} · status <span class=\"badge {st}\" id=\"status\">{st}</span>",
        num = s(&c["number"]),
        sc = s(&c["scenario"]),
        caller = s(&c["caller"]),
        st = s(&c["status"]),
    );
    if let Some(r) = c["ended_reason"].as_str() {
        body.push_str(&format!(
            " · ended reason <code id=\"ended-reason\">{}</code>",
            escape(r)
        ));
    }
    body.push_str("</p>");
    if let (Some(a), Some(b)) = (c["started_at"].as_str(), c["ended_at"].as_str()) {
        body.push_str(&format!(
            "<p class=\"muted\">Started {} · ended {} (virtual time)</p>",
            escape(a),
            escape(b)
        ));
    }
    body.push_str("<h2>Conversation</h2><div class=\"chat\" id=\"chat\">");
    let turns = c["turns"].as_array().cloned().unwrap_or_default();
    if turns.is_empty() {
        body.push_str("<p class=\"muted\">Nothing said yet.</p>");
    }
    for t in &turns {
        let role = t["role"].as_str().unwrap_or("bot");
        let who = match role {
            "bot" => "Assistant",
            "user" => "Caller",
            _ => "Tool",
        };
        body.push_str(&format!(
            "<div class=\"msg {}\"><span class=\"who\">{who}</span>{}</div>",
            escape(role),
            s(&t["text"])
        ));
    }
    body.push_str("</div>");
    let problems = c["problems"].as_array().cloned().unwrap_or_default();
    if !problems.is_empty() {
        body.push_str("<h2>Problems</h2><ul id=\"problems\">");
        for p in &problems {
            body.push_str(&format!("<li class=\"err\">{}</li>", s(p)));
        }
        body.push_str("</ul>");
    }
    body.push_str("<h2>Deliveries</h2><table id=\"deliveries\"><tr><th>#</th><th>type</th><th>url</th><th>HTTP</th><th>ms</th><th>problem</th></tr>");
    for (i, d) in c["deliveries"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td class=\"err\">{}</td></tr>",
            i + 1,
            match d["detail"].as_str() {
                Some(st) => format!("{} ({})", s(&d["type"]), escape(st)),
                None => s(&d["type"]),
            },
            s(&d["url"]),
            s(&d["status"]),
            s(&d["ms"]),
            s(&d["problem"])
        ));
    }
    body.push_str("</table>");
    body.push_str(&format!(
        "<p class=\"muted\">JSON: <a href=\"/_sandbox/calls/{id}\">/_sandbox/calls/{id}</a></p>",
        id = s(&c["id"])
    ));
    page("Vapi sandbox call", &body, !ended)
}

/// `GET /_sandbox/web/{id}`: where a web call's `webCallUrl` points.
pub fn web_call(call: &Value) -> String {
    page(
        "Vapi sandbox web call",
        &format!(
            "<h1>Web call <code>{}</code></h1><p>Status <code>{}</code>. Browser audio is not simulated by the sandbox; \
             place simulated phone calls from <a href=\"/_sandbox\">the sandbox page</a>.</p>",
            s(&call["id"]),
            s(&call["status"])
        ),
        false,
    )
}
