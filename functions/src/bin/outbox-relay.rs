//! Schedule: relay outbox messages that were not sent right after their commit.
use shared::{outbox, runtime};

fn main() {
    runtime::schedule("outbox-relay", |app| async move {
        let report = outbox::relay(&app, None).await?;
        Ok(serde_json::to_value(report).expect("reports serialize"))
    })
}
