//! The manifest's SQS queues: for each `[[queue]]` N, `<prefix>N-dlq` and
//! `<prefix>N` with the manifest's VisibilityTimeout and a RedrivePolicy to
//! the dead-letter queue after `max_receive_count` receives. Idempotent: an
//! existing queue gets its attributes set again.

use anyhow::{Context, Result};
use aws_sdk_sqs::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_sqs::types::QueueAttributeName;
use aws_sdk_sqs::Client;
use shared::manifest::QueueSpec;

/// The queue prefix of the local stack (`KMX_QUEUE_PREFIX` for the functions).
pub const DEFAULT_PREFIX: &str = "kmx-";

/// An SQS client for `endpoint` (e.g. moto on `http://127.0.0.1:4566`):
/// region from `AWS_REGION` (default us-east-1), static credentials from
/// `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` (default test/test).
pub fn client(endpoint: &str) -> Client {
    let env = |k: &str, default: &str| {
        std::env::var(k)
            .ok()
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| default.to_string())
    };
    let credentials = Credentials::new(
        env("AWS_ACCESS_KEY_ID", "test"),
        env("AWS_SECRET_ACCESS_KEY", "test"),
        None,
        None,
        "kmx",
    );
    let config = aws_sdk_sqs::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(env("AWS_REGION", "us-east-1")))
        .credentials_provider(credentials)
        .endpoint_url(endpoint)
        .build();
    Client::from_conf(config)
}

/// One ensured queue pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnsuredQueue {
    /// The manifest name (`emails`).
    pub name: String,
    /// `<prefix><name>`
    pub sqs_name: String,
    pub url: String,
    pub arn: String,
    pub dlq_url: String,
    pub dlq_arn: String,
}

async fn ensure_one(
    client: &Client,
    name: &str,
    attributes: Vec<(QueueAttributeName, String)>,
) -> Result<(String, String)> {
    let url = match client.get_queue_url().queue_name(name).send().await {
        Ok(out) => out.queue_url().map(str::to_string),
        Err(_) => None,
    };
    let url = match url {
        Some(url) => {
            if !attributes.is_empty() {
                let mut req = client.set_queue_attributes().queue_url(&url);
                for (k, v) in &attributes {
                    req = req.attributes(k.clone(), v);
                }
                req.send()
                    .await
                    .map_err(|e| anyhow::anyhow!("{}", aws_sdk_sqs::error::DisplayErrorContext(e)))
                    .with_context(|| format!("set attributes of queue {name}"))?;
            }
            url
        }
        None => {
            let mut req = client.create_queue().queue_name(name);
            for (k, v) in &attributes {
                req = req.attributes(k.clone(), v);
            }
            req.send()
                .await
                .map_err(|e| anyhow::anyhow!("{}", aws_sdk_sqs::error::DisplayErrorContext(e)))
                .with_context(|| format!("create queue {name}"))?
                .queue_url()
                .with_context(|| format!("create queue {name}: no URL in the answer"))?
                .to_string()
        }
    };
    let attrs = client
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("{}", aws_sdk_sqs::error::DisplayErrorContext(e)))
        .with_context(|| format!("get the ARN of queue {name}"))?;
    let arn = attrs
        .attributes()
        .and_then(|a| a.get(&QueueAttributeName::QueueArn))
        .with_context(|| format!("queue {name} has no QueueArn"))?
        .clone();
    Ok((url, arn))
}

/// Creates (or updates) every queue of `queues` and its dead-letter queue.
pub async fn ensure_queues(
    client: &Client,
    queues: &[QueueSpec],
    prefix: &str,
) -> Result<Vec<EnsuredQueue>> {
    let mut out = Vec::with_capacity(queues.len());
    for q in queues {
        let sqs_name = format!("{prefix}{}", q.name);
        let dlq_name = format!("{sqs_name}-dlq");
        let (dlq_url, dlq_arn) = ensure_one(client, &dlq_name, Vec::new()).await?;
        let redrive = serde_json::json!({
            "deadLetterTargetArn": dlq_arn,
            "maxReceiveCount": q.max_receive_count.to_string(),
        })
        .to_string();
        let (url, arn) = ensure_one(
            client,
            &sqs_name,
            vec![
                (
                    QueueAttributeName::VisibilityTimeout,
                    q.visibility_timeout.to_string(),
                ),
                (QueueAttributeName::RedrivePolicy, redrive),
            ],
        )
        .await?;
        out.push(EnsuredQueue {
            name: q.name.clone(),
            sqs_name,
            url,
            arn,
            dlq_url,
            dlq_arn,
        });
    }
    Ok(out)
}
