//! What a function process holds for its whole life: the config, the
//! database pool and (lazily) the queue client and the mailer.

use crate::config::Config;
use crate::error::Result;
use crate::{db, email::Mailer, queue::Queues};
use deadpool_postgres::Pool;
use tokio::sync::OnceCell;

pub struct App {
    pub config: Config,
    pub db: Pool,
    queues: OnceCell<Queues>,
    mailer: OnceCell<Mailer>,
}

impl App {
    /// Builds the app from a validated config. Nothing connects yet.
    pub fn new(config: Config) -> Result<App> {
        let db = db::pool(config.database_url.expose(), config.database_pool_size)?;
        Ok(App {
            config,
            db,
            queues: OnceCell::new(),
            mailer: OnceCell::new(),
        })
    }

    pub async fn queues(&self) -> &Queues {
        self.queues
            .get_or_init(|| async { Queues::new(&self.config) })
            .await
    }

    pub async fn mailer(&self) -> Result<&Mailer> {
        self.mailer
            .get_or_try_init(|| async { Mailer::new(&self.config) })
            .await
    }
}
