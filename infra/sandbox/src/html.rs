//! The hosted checkout page, its error page and the `/_sandbox` overview.

use crate::objects::{format_amount, Session, SessionStatus};
use serde_json::Value;

use kmx_sandbox_kit::html::escape;

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:34em;margin:3em auto;padding:0 1em;color:#1a1f36}
.box{border:1px solid #e3e8ee;border-radius:8px;padding:1.5em;margin:1em 0}
.badge{display:inline-block;background:#ffde92;color:#5d4200;border-radius:4px;padding:0 .4em;font-size:.8em}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.3em .4em;border-bottom:1px solid #e3e8ee;vertical-align:top}
.amount{font-size:2em;font-weight:600;margin:.3em 0}
button,a.button{font-size:1em;padding:.6em 1.4em;border-radius:6px;border:1px solid #635bff;cursor:pointer;text-decoration:none;display:inline-block}
#pay{background:#635bff;color:#fff;width:100%}
#cancel{background:#fff;color:#635bff;margin-top:.8em}
input{font-size:1em;padding:.4em;width:100%;box-sizing:border-box}
.err{color:#c0123c}.muted{color:#697386;font-size:.9em}code{font-size:.9em}";

fn page(title: &str, body: &str) -> String {
    page_with(title, body, "")
}

fn page_with(title: &str, body: &str, extra_style: &str) -> String {
    let style = format!("{STYLE}\n{extra_style}");
    kmx_sandbox_kit::html::page(title, "", &style, body)
}

/// `GET /checkout/{id}`.
pub fn checkout(s: &Session) -> String {
    let id = escape(&s.id);
    let total = escape(&format_amount(s.amount_total, &s.currency));
    let mut rows = String::new();
    for it in &s.items {
        rows.push_str(&format!(
            "<tr><td class=\"product\">{}</td><td>× {}</td><td>{}</td></tr>",
            escape(&it.name),
            it.quantity,
            escape(&format_amount(it.unit_amount * it.quantity, &s.currency))
        ));
    }
    let product = escape(
        &s.items
            .iter()
            .map(|i| i.name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    );
    let head = format!(
        "<p><span class=\"badge\">TEST MODE</span> Kametrix Stripe sandbox</p>\
         <h1 id=\"product\">{product}</h1><div class=\"amount\" id=\"amount\">{total}</div>\
         <table>{rows}</table>"
    );
    if s.status != SessionStatus::Open {
        let why = match s.status {
            SessionStatus::Complete => "This Checkout Session is already complete.",
            _ => "This Checkout Session has expired.",
        };
        return page(
            "Checkout",
            &format!(
                "<div class=\"box\">{head}<p class=\"err\" id=\"error\">{why}</p>\
                 <p class=\"muted\">Session <code>{id}</code>: status <code id=\"status\">{}</code>, \
                 payment <code>{}</code>.</p></div>",
                s.status.as_str(),
                s.payment_status()
            ),
        );
    }
    let email = escape(
        s.customer_email
            .as_deref()
            .unwrap_or("customer@example.com"),
    );
    let readonly = if s.customer_email.is_some() {
        " readonly"
    } else {
        ""
    };
    let cancel = match &s.cancel_url {
        Some(_) => {
            format!("<a class=\"button\" id=\"cancel\" href=\"/checkout/{id}/cancel\">Cancel</a>")
        }
        None => String::new(),
    };
    page(
        &format!("Pay {}", product_plain(s)),
        &format!(
            "<div class=\"box\">{head}\
             <form method=\"post\" action=\"/checkout/{id}/pay\" id=\"pay-form\">\
             <p><label>Email<br><input type=\"email\" name=\"email\" id=\"email\" value=\"{email}\"{readonly}></label></p>\
             <p class=\"muted\">Card 4242 4242 4242 4242 (sandbox: no card details needed)</p>\
             <button type=\"submit\" id=\"pay\">Pay {total}</button></form>\
             {cancel}\
             <p class=\"muted\">Session <code>{id}</code></p></div>"
        ),
    )
}

fn product_plain(s: &Session) -> String {
    s.items.first().map(|i| i.name.clone()).unwrap_or_default()
}

/// An error page for the hosted checkout (unknown, expired or complete session).
pub fn error(title: &str, message: &str) -> String {
    page(
        title,
        &format!(
            "<div class=\"box\"><p><span class=\"badge\">TEST MODE</span> Kametrix Stripe sandbox</p>\
             <h1>{}</h1><p class=\"err\" id=\"error\">{}</p></div>",
            escape(title),
            escape(message)
        ),
    )
}

/// `GET /_sandbox`: sessions and events with their deliveries.
pub fn overview(
    sessions: &[Value],
    events: &[Value],
    webhook_url: Option<&str>,
    public_url: &str,
) -> String {
    let mut b = String::new();
    b.push_str("<h1>Kametrix Stripe sandbox</h1>");
    b.push_str(&format!(
        "<p class=\"muted\">API base <code>{}/</code> · webhooks to <code>{}</code> · \
         <a href=\"/_sandbox/events\">events JSON</a></p>\
         <form method=\"post\" action=\"/_sandbox/reset\">\
         <button type=\"submit\" id=\"reset\" style=\"padding:.2em .8em\">Reset the sandbox</button></form>",
        escape(public_url),
        escape(webhook_url.unwrap_or("(none: events are not delivered)"))
    ));
    b.push_str("<h2>Checkout Sessions</h2><table><tr><th>session</th><th>amount</th><th>status</th><th>reference</th><th>charge</th></tr>");
    for s in sessions.iter().rev() {
        let id = s["id"].as_str().unwrap_or_default();
        let status = format!(
            "{} / {}",
            s["status"].as_str().unwrap_or_default(),
            s["payment_status"].as_str().unwrap_or_default()
        );
        let link = if s["status"] == "open" {
            format!("<a href=\"/checkout/{0}\">{0}</a>", escape(id))
        } else {
            escape(id)
        };
        b.push_str(&format!(
            "<tr><td><code>{link}</code></td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
            escape(&format_amount(
                s["amount_total"].as_i64().unwrap_or_default(),
                s["currency"].as_str().unwrap_or_default()
            )),
            escape(&status),
            escape(s["client_reference_id"].as_str().unwrap_or("")),
            escape(s["charge"].as_str().unwrap_or(""))
        ));
    }
    b.push_str("</table><h2>Events</h2><table><tr><th>event</th><th>type</th><th>object</th><th>deliveries</th></tr>");
    for e in events.iter().rev() {
        let deliveries: Vec<String> = e["deliveries"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|d| match d["status"].as_u64() {
                        Some(code) => format!("{code} ({})", d["kind"].as_str().unwrap_or("")),
                        None => format!(
                            "error: {} ({})",
                            d["error"].as_str().unwrap_or(""),
                            d["kind"].as_str().unwrap_or("")
                        ),
                    })
                    .collect()
            })
            .unwrap_or_default();
        b.push_str(&format!(
            "<tr><td><code>{}</code></td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
            escape(e["id"].as_str().unwrap_or_default()),
            escape(e["type"].as_str().unwrap_or_default()),
            escape(e["object_id"].as_str().unwrap_or_default()),
            if deliveries.is_empty() {
                "none yet".to_string()
            } else {
                escape(&deliveries.join(", "))
            }
        ));
    }
    b.push_str("</table>");
    page_with(
        "Stripe sandbox",
        &b,
        "body{max-width:84em}code{font-size:.8em}",
    )
}
