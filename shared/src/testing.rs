//! Helpers for integration tests: a fresh, migrated PostgreSQL database per
//! test, made by copying a template that is migrated once per migration set,
//! and the fixtures every test file starts from ([`an_owner`], [`an_admin`],
//! [`an_agent`], [`a_number`], [`a_live_agent`]), all made through the
//! services, as a user or an admin would make them.
//!
//! `TEST_DATABASE_URL` names a server where the test may create databases
//! (`make test` starts a throwaway cluster and sets it). Vapi's REST API is
//! a loopback stand-in ([`fake_vapi_url`]), so that numbers are provisioned
//! through [`crate::numbers::provision`] without the network.

use crate::accounts::{self, ClientInfo, SignedIn};
use crate::agents;
use crate::api::{self, BusinessProfile, Faq, NumberId, OpeningPeriod, Service, Weekday, E164};
use crate::app::App;
use crate::config::Config;
use crate::db;
use crate::numbers;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};
use tokio_postgres::types::{FromSql, ToSql};
use tokio_postgres::NoTls;

/// The admin URL of the test server.
pub fn server_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| {
        panic!("TEST_DATABASE_URL is not set: run the tests with `make test`, or point it at a PostgreSQL server where tests may create databases")
    })
}

fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_end = base[scheme_end..]
        .find('/')
        .map(|i| scheme_end + i)
        .unwrap_or(base.len());
    format!("{}/{database}{query}", &base[..host_end])
}

/// Creates a fresh migrated database and returns its URL.
pub async fn fresh_database() -> String {
    let server = server_url();
    let (admin, connection) = tokio_postgres::connect(&server, NoTls)
        .await
        .expect("connect to TEST_DATABASE_URL");
    tokio::spawn(connection);
    let fingerprint = hex::encode(
        &Sha256::digest(
            db::MIGRATIONS
                .iter()
                .map(|(n, s)| format!("{n}\n{s}\n"))
                .collect::<String>(),
        )[..6],
    );
    let template = format!("kmx_template_{fingerprint}");
    admin
        .batch_execute("SELECT pg_advisory_lock(727275)")
        .await
        .unwrap();
    let exists = admin
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&template])
        .await
        .unwrap()
        .is_some();
    if !exists {
        let building = format!("{template}_building");
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {building}"))
            .await
            .unwrap();
        admin
            .batch_execute(&format!("CREATE DATABASE {building}"))
            .await
            .unwrap();
        let pool = db::pool(&with_database(&server, &building), 1).unwrap();
        db::migrate(&pool)
            .await
            .expect("migrations apply to an empty database");
        pool.close();
        drop(pool);
        admin
            .batch_execute(&format!("ALTER DATABASE {building} RENAME TO {template}"))
            .await
            .unwrap();
    }
    admin
        .batch_execute("SELECT pg_advisory_unlock(727275)")
        .await
        .unwrap();
    let name = format!("kmx_test_{}", uuid::Uuid::new_v4().simple());
    admin
        .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
        .await
        .unwrap();
    with_database(&server, &name)
}

/// The Stripe webhook secret of [`app`].
pub const STRIPE_WEBHOOK_SECRET: &str = "whsec_kametrix_test";

/// The Vapi webhook secret of [`app`] (sent as `X-Vapi-Secret`).
pub const VAPI_WEBHOOK_SECRET: &str = "vapi_test_secret";

/// An [`App`] on a fresh database, with email links on `http://127.0.0.1:8080`,
/// no inline outbox relay (tests read the outbox table instead) and Vapi's
/// REST API at [`fake_vapi_url`].
pub async fn app() -> Arc<App> {
    let url = fresh_database().await;
    let vapi = fake_vapi_url();
    let config = Config::from_lookup(|k| match k {
        "DATABASE_URL" => Some(url.clone()),
        "KMX_OUTBOX_RELAY_INLINE" => Some("false".into()),
        "DATABASE_POOL_SIZE" => Some("16".into()),
        "STRIPE_WEBHOOK_SECRET" => Some(STRIPE_WEBHOOK_SECRET.into()),
        "VAPI_WEBHOOK_SECRET" => Some(VAPI_WEBHOOK_SECRET.into()),
        "VAPI_API_BASE" => Some(vapi.to_string()),
        "VAPI_API_KEY" => Some("fake-vapi-key".into()),
        _ => None,
    })
    .expect("test config");
    Arc::new(App::new(config).expect("test app"))
}

// ------------------------------------------------------------- fixtures ----

/// The password of every [`an_owner`].
pub const PASSWORD: &str = "blue-harbour-lantern";

/// The business of every [`an_owner`] and of [`a_profile`].
pub const BUSINESS_NAME: &str = "Acme Plumbing";

/// A sign-up of `email` with [`PASSWORD`] for [`BUSINESS_NAME`].
pub fn signup_request(email: &str) -> api::SignupRequest {
    api::SignupRequest {
        email: email.into(),
        password: PASSWORD.into(),
        business_name: BUSINESS_NAME.into(),
    }
}

/// An address no other fixture uses.
pub fn unique_email(domain: &str) -> String {
    format!("{}@{domain}", uuid::Uuid::new_v4().simple())
}

/// An owner signed up (and signed in) through [`accounts::signup`] with a
/// fresh address: `.me.account` is their account, `.token` their session.
pub async fn an_owner(app: &App) -> SignedIn {
    an_owner_at(app, &unique_email("owner.example.com")).await
}

/// [`an_owner`] at a given address.
pub async fn an_owner_at(app: &App, email: &str) -> SignedIn {
    accounts::signup(app, signup_request(email), &ClientInfo::default())
        .await
        .expect("the fixture owner signs up")
}

/// A platform admin, made as `make admin` makes one ([`accounts::upsert_user`]).
pub async fn an_admin(app: &App) -> api::UserId {
    accounts::upsert_user(
        app,
        &unique_email("kametrix.example"),
        "admin-pass-phrase",
        "Kametrix",
        api::Role::Admin,
    )
    .await
    .expect("the fixture admin is created")
}

/// A filled-in business profile: opening hours on Monday and Saturday, one
/// service, one FAQ (parking), no fallback number.
pub fn a_profile() -> BusinessProfile {
    BusinessProfile {
        business_name: BUSINESS_NAME.into(),
        description: "Family plumbers since 1990.".into(),
        address: "1 Pipe Street, Springfield".into(),
        timezone: "America/Chicago".into(),
        hours: vec![
            OpeningPeriod {
                day: Weekday::Mon,
                open: "08:00".into(),
                close: "17:00".into(),
            },
            OpeningPeriod {
                day: Weekday::Sat,
                open: "09:00".into(),
                close: "12:00".into(),
            },
        ],
        services: vec![Service {
            name: "Drain cleaning".into(),
            duration_minutes: Some(60),
            price: "from $120".into(),
            description: "Blocked sinks and drains.".into(),
        }],
        faqs: vec![Faq {
            question: "Do you have parking?".into(),
            answer: "Yes, there is free parking behind the shop.".into(),
        }],
        fallback_phone: String::new(),
        ..Default::default()
    }
}

/// An agent of `owner` made through [`agents::create`] from the `support`
/// template, with [`a_profile`], and no number.
pub async fn an_agent(app: &App, owner: &api::Account) -> api::Agent {
    agents::create(
        app,
        owner,
        api::NewAgent {
            template: api::TemplateId::Support.as_str().into(),
            profile: Some(a_profile()),
            ..Default::default()
        },
    )
    .await
    .expect("the fixture agent is created")
}

/// A number of the pool, free, active.
#[derive(Debug, Clone)]
pub struct PoolNumber {
    pub id: NumberId,
    pub number: E164,
    /// Vapi's id of the number: the `phoneNumberId` of its calls' messages.
    pub vapi_id: String,
}

/// The area code of every [`a_number`].
pub const AREA_CODE: &str = "415";

/// Provisions one number in [`AREA_CODE`] into the pool through
/// [`numbers::provision`] (Vapi being [`fake_vapi_url`]).
pub async fn a_number(app: &App) -> PoolNumber {
    let before = numbers::pool(app).await.expect("the pool").numbers;
    let after = numbers::provision(
        app,
        api::ProvisionNumbers {
            area_code: Some(AREA_CODE.into()),
            count: Some(1),
        },
    )
    .await
    .expect("the fixture number is provisioned")
    .numbers;
    let new = after
        .into_iter()
        .find(|n| before.iter().all(|b| b.id != n.id))
        .expect("provisioning adds a number to the pool");
    pool_number(app, new.id).await
}

/// A number of the pool with its Vapi id (which no service shows).
pub async fn pool_number(app: &App, id: NumberId) -> PoolNumber {
    let row = app
        .db
        .get()
        .await
        .expect("a connection")
        .query_one(
            "SELECT number, vapi_id FROM phone_numbers WHERE id = $1",
            &[&id],
        )
        .await
        .expect("the number is in the pool");
    PoolNumber {
        id,
        number: row.get("number"),
        vapi_id: row.get("vapi_id"),
    }
}

/// What the voice tests start from: [`an_owner`]'s [`an_agent`] answering
/// a number of the pool, taken through [`agents::take_number`].
#[derive(Debug)]
pub struct LiveAgent {
    pub owner: SignedIn,
    pub agent: api::Agent,
    pub number: PoolNumber,
}

impl LiveAgent {
    pub fn account_id(&self) -> api::AccountId {
        self.owner.me.account.id
    }
}

/// [`an_agent`] of [`an_owner`] that took [`a_number`] (or, when the pool
/// held other free numbers in [`AREA_CODE`], the one the pool gave).
pub async fn a_live_agent(app: &App) -> LiveAgent {
    let owner = an_owner(app).await;
    a_number(app).await;
    let agent = an_agent(app, &owner.me.account).await;
    let agent = agents::take_number(
        app,
        owner.me.account.id,
        agent.id,
        api::TakeNumber {
            area_code: Some(AREA_CODE.into()),
        },
    )
    .await
    .expect("the fixture agent takes a number");
    let number = pool_number(
        app,
        agent.number.as_ref().expect("the agent has a number").id,
    )
    .await;
    LiveAgent {
        owner,
        agent,
        number,
    }
}

/// The one value of a one-row, one-column query: counts and stored
/// columns that no service shows.
pub async fn scalar<T>(app: &App, sql: &str, params: &[&(dyn ToSql + Sync)]) -> T
where
    T: for<'a> FromSql<'a>,
{
    app.db
        .get()
        .await
        .expect("a connection")
        .query_one(sql, params)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .get(0)
}

/// Runs one statement that no service makes (moving a stored time into
/// the past, say); returns the rows it changed.
pub async fn execute(app: &App, sql: &str, params: &[&(dyn ToSql + Sync)]) -> u64 {
    app.db
        .get()
        .await
        .expect("a connection")
        .execute(sql, params)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

// ------------------------------------------------------------ fake Vapi ----

/// The base URL of a stand-in for the part of Vapi's REST API that
/// [`crate::vapi::client`] uses, on loopback, one per process: `POST
/// phone-number` makes a new number (`+1<area>555NNNN`, Vapi id
/// `fake-vapi-N`), active at once; `GET phone-number/{id}` says it is active.
pub fn fake_vapi_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind the fake Vapi");
        listener
            .set_nonblocking(true)
            .expect("a non-blocking listener");
        let url = format!("http://{}/", listener.local_addr().expect("its address"));
        // Its own thread and runtime: each test's runtime ends with the test.
        std::thread::Builder::new()
            .name("fake-vapi".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("the fake Vapi's runtime");
                runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                    loop {
                        let Ok((stream, _)) = listener.accept().await else {
                            continue;
                        };
                        tokio::spawn(async move {
                            let service = hyper::service::service_fn(fake_vapi_answer);
                            let _ = hyper::server::conn::http1::Builder::new()
                                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                                .await;
                        });
                    }
                })
            })
            .expect("the fake Vapi's thread");
        url
    })
}

async fn fake_vapi_answer(
    request: hyper::Request<hyper::body::Incoming>,
) -> Result<hyper::Response<http_body_util::Full<bytes::Bytes>>, std::convert::Infallible> {
    use http_body_util::BodyExt;
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let (parts, body) = request.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let sent: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let path = parts.uri.path().trim_start_matches('/');
    let (status, answer) = match (parts.method.as_str(), path.strip_prefix("phone-number")) {
        ("POST", Some("")) => {
            let area = sent["numberDesiredAreaCode"].as_str().unwrap_or("415");
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            (
                201,
                json!({"id": format!("fake-vapi-{n}"), "number": format!("+1{area}555{:04}", n % 10_000),
                       "status": "active"}),
            )
        }
        ("GET", Some(id)) if id.len() > 1 => (200, json!({"id": &id[1..], "status": "active"})),
        _ => (404, json!({"message": "not part of the fake Vapi"})),
    };
    Ok(hyper::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(http_body_util::Full::new(bytes::Bytes::from(
            answer.to_string(),
        )))
        .expect("a response"))
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_names_replace_the_path_and_keep_options() {
        assert_eq!(
            with_database("postgres://u@h:5/postgres?sslmode=disable", "x"),
            "postgres://u@h:5/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://u@h:5", "x"), "postgres://u@h:5/x");
    }
}
