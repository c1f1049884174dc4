//! Email: messages are rendered by their domain, queued through the outbox on
//! queue `emails`, and sent over SMTP by the `email-sender` worker, at most
//! once per message whatever the redeliveries.

use crate::config::Config;
use crate::error::{Error, Result};
use crate::outbox::{self, Delivered, Envelope, OutboxMessage};
use crate::queue::QueueMessage;
use deadpool_postgres::Pool;
use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};

/// An email ready to send.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl OutboxMessage for Email {
    const QUEUE: &'static str = "emails";
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
            .map_err(|e| Error::internal_from("SMTP_URL", e))?
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
        let from = config
            .mail_from
            .parse()
            .map_err(|e| Error::internal_from("MAIL_FROM", e))?;
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
            .map_err(|e| Error::internal_from("building an email", e))?;
        self.transport
            .send(message)
            .await
            .map_err(|e| Error::Unavailable(format!("SMTP: {e}")))?;
        Ok(())
    }
}

/// The `email-sender` worker's job: send one queued email, once (see
/// [`outbox::deliver_once`]).
pub async fn deliver(db: &Pool, mailer: &Mailer, message: &QueueMessage) -> Result<()> {
    let envelope = Envelope::<Email>::decode(message)?;
    let email = &envelope.payload;
    let delivered =
        outbox::deliver_once(db, Email::QUEUE, &envelope.dedup_key, || mailer.send(email)).await?;
    if delivered == Delivered::Now {
        tracing::info!(dedup_key = %envelope.dedup_key, subject = %email.subject, "email sent");
    }
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
