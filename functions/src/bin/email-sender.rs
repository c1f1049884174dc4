//! Queue `emails`: send each queued email over SMTP, once.
use shared::{email, runtime};

fn main() {
    runtime::queue("email-sender", |app, message| async move {
        email::deliver(&app.db, app.mailer().await?, &message).await
    })
}
