//! Email: messages are rendered by their domain, queued through the outbox on
//! queue `emails`, and sent over SMTP by the `email-sender` worker, at most
//! once per message whatever the redeliveries.

use crate::app::App;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::outbox::{self, Envelope};
use crate::queue::QueueMessage;
use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};

pub const QUEUE: &str = "emails";

/// An email ready to send.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Queues `email` in the caller's transaction; `None` if `dedup_key` was
/// queued before.
pub async fn enqueue(
    tx: &deadpool_postgres::Transaction<'_>,
    dedup_key: &str,
    email: &Email,
) -> Result<Option<i64>> {
    let payload = serde_json::to_value(email).expect("emails serialize");
    outbox::enqueue(tx, QUEUE, dedup_key, &payload).await
}

/// SMTP without connection pooling: one connection per email. Workers send
/// a handful of emails per invocation, and some SMTP receivers (mailtutan)
/// mix up several messages sent over one connection.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    pub fn new(config: &Config) -> Result<Mailer> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(config.smtp_url.expose())
            .map_err(|e| Error::internal(format!("SMTP_URL: {e}")))?
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
        let from = config.mail_from.parse().map_err(Error::internal)?;
        Ok(Mailer { transport, from })
    }

    pub async fn send(&self, email: &Email) -> Result<()> {
        let to: Mailbox = email
            .to
            .parse()
            .map_err(|e| Error::BadRequest(format!("bad recipient: {e}")))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&email.subject)
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(email.text.clone()),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(email.html.clone()),
                    ),
            )
            .map_err(Error::internal)?;
        self.transport
            .send(message)
            .await
            .map_err(|e| Error::Unavailable(format!("SMTP: {e}")))?;
        Ok(())
    }
}

/// The `email-sender` worker's job: send one queued email, once.
///
/// The delivery is claimed in `email_deliveries` first. A message already
/// sent is acknowledged without sending; one claimed by another worker
/// within the last two minutes is retried later; a stale claim (a worker
/// that died mid-send) is taken over.
pub async fn deliver(app: &App, message: &QueueMessage) -> Result<()> {
    let envelope: Envelope = serde_json::from_str(&message.body)
        .map_err(|e| Error::BadRequest(format!("not an outbox envelope: {e}")))?;
    let email: Email = serde_json::from_value(envelope.payload.clone())
        .map_err(|e| Error::BadRequest(format!("not an email: {e}")))?;
    let client = app.db.get().await?;
    let claimed = client
        .query_opt(
            "INSERT INTO email_deliveries (dedup_key) VALUES ($1)
             ON CONFLICT (dedup_key) DO UPDATE
                 SET claimed_at = now(), attempts = email_deliveries.attempts + 1
                 WHERE email_deliveries.sent_at IS NULL
                   AND email_deliveries.claimed_at < now() - interval '2 minutes'
             RETURNING attempts",
            &[&envelope.dedup_key],
        )
        .await?;
    if claimed.is_none() {
        let sent: bool = client
            .query_one(
                "SELECT sent_at IS NOT NULL FROM email_deliveries WHERE dedup_key = $1",
                &[&envelope.dedup_key],
            )
            .await?
            .get(0);
        if sent {
            tracing::info!(dedup_key = %envelope.dedup_key, "email already sent; duplicate delivery ignored");
            return Ok(());
        }
        return Err(Error::Unavailable(
            "email is being sent by another worker".into(),
        ));
    }
    if let Err(e) = app.mailer().await?.send(&email).await {
        // Release the claim so the redelivery can try at once.
        client
            .execute(
                "UPDATE email_deliveries SET claimed_at = '-infinity' WHERE dedup_key = $1",
                &[&envelope.dedup_key],
            )
            .await?;
        return Err(e);
    }
    client
        .execute(
            "UPDATE email_deliveries SET sent_at = now() WHERE dedup_key = $1",
            &[&envelope.dedup_key],
        )
        .await?;
    tracing::info!(dedup_key = %envelope.dedup_key, subject = %email.subject, "email sent");
    Ok(())
}

/// Escapes text for HTML bodies.
pub fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A plain, readable HTML email around `paragraphs` and an optional button.
pub fn html_layout(paragraphs: &[String], button: Option<(&str, &str)>) -> String {
    let mut body = String::new();
    for p in paragraphs {
        body.push_str(&format!(
            "<p style=\"margin:0 0 16px\">{}</p>",
            escape_html(p)
        ));
    }
    if let Some((label, url)) = button {
        let url = escape_html(url);
        body.push_str(&format!(
            "<p style=\"margin:24px 0\"><a href=\"{url}\" style=\"background:#2354d6;color:#fff;padding:12px 20px;border-radius:6px;text-decoration:none;font-weight:600\">{}</a></p>\
             <p style=\"margin:0 0 16px;color:#555;font-size:13px\">Or paste this link into your browser: {url}</p>",
            escape_html(label)
        ));
    }
    format!(
        "<!doctype html><html><body style=\"font-family:-apple-system,Segoe UI,Roboto,sans-serif;color:#1b1f24;max-width:560px;margin:0 auto;padding:24px\">\
         <p style=\"font-size:20px;font-weight:700;margin:0 0 24px\">Kametrix</p>{body}\
         <p style=\"color:#777;font-size:12px;margin-top:32px\">You get this email because of your Kametrix account.</p></body></html>"
    )
}
