//! SQS (or any SQS-compatible server): sending, receiving and deleting
//! messages of the manifest's queues. Queue `emails` is the SQS queue
//! `<KMX_QUEUE_PREFIX>emails`; its URL is looked up once and cached.

use crate::config::Config;
use crate::error::{Error, Result};
use aws_sdk_sqs::config::{Credentials, Region};
use aws_sdk_sqs::types::MessageSystemAttributeName;
use std::collections::HashMap;
use tokio::sync::Mutex;

/// One message as a worker sees it, from SQS polling or a Lambda SQS event.
#[derive(Debug, Clone)]
pub struct QueueMessage {
    pub message_id: String,
    pub body: String,
    /// How many times it has been received, this time included.
    pub receive_count: u32,
    /// Handle for deleting it (local polling mode only).
    pub receipt_handle: Option<String>,
}

pub struct Queues {
    client: aws_sdk_sqs::Client,
    prefix: String,
    urls: Mutex<HashMap<String, String>>,
}

impl Queues {
    pub fn new(config: &Config) -> Queues {
        Queues {
            client: client(config.sqs_endpoint_url.as_deref(), &config.aws_region),
            prefix: config.queue_prefix.clone(),
            urls: Mutex::new(HashMap::new()),
        }
    }

    pub fn client(&self) -> &aws_sdk_sqs::Client {
        &self.client
    }

    /// The SQS queue name of manifest queue `queue`.
    pub fn sqs_name(&self, queue: &str) -> String {
        format!("{}{}", self.prefix, queue)
    }

    pub async fn url(&self, queue: &str) -> Result<String> {
        if let Some(url) = self.urls.lock().await.get(queue) {
            return Ok(url.clone());
        }
        let out = self
            .client
            .get_queue_url()
            .queue_name(self.sqs_name(queue))
            .send()
            .await
            .map_err(|e| {
                Error::Unavailable(format!("SQS get-queue-url {queue}: {}", sdk_message(&e)))
            })?;
        let url = out
            .queue_url()
            .ok_or_else(|| Error::internal("SQS returned no queue URL"))?
            .to_string();
        self.urls
            .lock()
            .await
            .insert(queue.to_string(), url.clone());
        Ok(url)
    }

    pub async fn send(&self, queue: &str, body: String) -> Result<()> {
        let url = self.url(queue).await?;
        self.client
            .send_message()
            .queue_url(url)
            .message_body(body)
            .send()
            .await
            .map_err(|e| Error::Unavailable(format!("SQS send {queue}: {}", sdk_message(&e))))?;
        Ok(())
    }

    /// Long-polls up to `max` messages (`wait_seconds` at most).
    pub async fn receive(
        &self,
        queue: &str,
        max: i32,
        wait_seconds: i32,
    ) -> Result<Vec<QueueMessage>> {
        let url = self.url(queue).await?;
        let out = self
            .client
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(max.clamp(1, 10))
            .wait_time_seconds(wait_seconds)
            .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
            .send()
            .await
            .map_err(|e| Error::Unavailable(format!("SQS receive {queue}: {}", sdk_message(&e))))?;
        Ok(out
            .messages()
            .iter()
            .map(|m| QueueMessage {
                message_id: m.message_id().unwrap_or_default().to_string(),
                body: m.body().unwrap_or_default().to_string(),
                receive_count: m
                    .attributes()
                    .and_then(|a| a.get(&MessageSystemAttributeName::ApproximateReceiveCount))
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(1),
                receipt_handle: m.receipt_handle().map(str::to_string),
            })
            .collect())
    }

    pub async fn delete(&self, queue: &str, receipt_handle: &str) -> Result<()> {
        let url = self.url(queue).await?;
        self.client
            .delete_message()
            .queue_url(url)
            .receipt_handle(receipt_handle)
            .send()
            .await
            .map_err(|e| Error::Unavailable(format!("SQS delete {queue}: {}", sdk_message(&e))))?;
        Ok(())
    }
}

/// An SQS client from explicit settings: the endpoint override (for moto or
/// another SQS-compatible server) and the standard AWS credential variables
/// (which AWS Lambda sets for a function's role).
pub fn client(endpoint_url: Option<&str>, region: &str) -> aws_sdk_sqs::Client {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let credentials = Credentials::new(
        env("AWS_ACCESS_KEY_ID").unwrap_or_else(|| "test".into()),
        env("AWS_SECRET_ACCESS_KEY").unwrap_or_else(|| "test".into()),
        env("AWS_SESSION_TOKEN"),
        None,
        "environment",
    );
    let mut builder = aws_sdk_sqs::Config::builder()
        .region(Region::new(region.to_string()))
        .credentials_provider(credentials);
    if let Some(url) = endpoint_url {
        builder = builder.endpoint_url(url);
    }
    aws_sdk_sqs::Client::from_conf(builder.build())
}

fn sdk_message<E: std::error::Error>(e: &E) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
