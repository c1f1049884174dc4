//! Schedule: relay outbox messages that were not sent right after their commit.
use shared::runtime;

fn main() {
    runtime::schedule("outbox-relay", |app| async move {
        let report = app.relay(None).await?;
        Ok(serde_json::to_value(report).expect("reports serialize"))
    })
}
