//! Agents: an owner's AI receptionists, each with the business profile it
//! speaks for, its template, voice, greeting, instructions and tools. Every
//! query is scoped to the owner's account; another account's agent is 404.

pub mod assistant;
pub mod knowledge;
pub mod profile;
pub mod templates;

use crate::api::{
    self, AdminAgent, AdminAgentPage, AdminAgentQuery, Agent, AgentList, AgentNumber, AgentPatch,
    AgentStatus, BusinessProfile, NewAgent,
};
use crate::app::App;
use crate::error::{Error, Result, Validator};
use crate::tools;
use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use uuid::Uuid;

/// An agent as stored, with what the voice pipeline needs.
#[derive(Debug, Clone)]
pub struct AgentRecord {
    pub id: Uuid,
    pub account_id: Uuid,
    pub name: String,
    pub template: String,
    pub status: AgentStatus,
    pub voice_id: String,
    pub greeting: String,
    pub language: String,
    pub instructions: String,
    pub tools: Vec<String>,
    pub profile: BusinessProfile,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The columns [`record`] reads, in order (`agents` aliased `a`).
pub const RECORD_COLUMNS: &str = "a.id, a.account_id, a.name, a.template, a.status, a.voice_id, \
     a.greeting, a.language, a.instructions, a.tools, a.profile, a.created_at, a.updated_at";
pub const RECORD_LEN: usize = 13;

pub fn status_of(text: &str) -> AgentStatus {
    if text == "paused" {
        AgentStatus::Paused
    } else {
        AgentStatus::Active
    }
}

fn status_text(status: AgentStatus) -> &'static str {
    match status {
        AgentStatus::Active => "active",
        AgentStatus::Paused => "paused",
    }
}

/// Reads [`RECORD_COLUMNS`] from the start of `row`.
pub fn record(row: &tokio_postgres::Row) -> Result<AgentRecord> {
    let profile: serde_json::Value = row.get(10);
    Ok(AgentRecord {
        id: row.get(0),
        account_id: row.get(1),
        name: row.get(2),
        template: row.get(3),
        status: status_of(row.get(4)),
        voice_id: row.get(5),
        greeting: row.get(6),
        language: row.get(7),
        instructions: row.get(8),
        tools: row.get(9),
        profile: serde_json::from_value(profile)
            .map_err(|e| Error::internal(format!("stored profile: {e}")))?,
        created_at: row.get(11),
        updated_at: row.get(12),
    })
}

const VIEW_FROM: &str = "FROM agents a LEFT JOIN phone_numbers n ON n.agent_id = a.id";

fn view(app: &App, row: &tokio_postgres::Row) -> Result<Agent> {
    let r = record(row)?;
    let number = row
        .get::<_, Option<Uuid>>(RECORD_LEN)
        .map(|id| AgentNumber {
            id,
            number: row.get(RECORD_LEN + 1),
            status: row.get(RECORD_LEN + 2),
        });
    let test_call_url = match (&app.config.vapi.simulator_url, &number) {
        (Some(sim), Some(n)) => Some(format!(
            "{sim}/_sandbox?number={}",
            n.number.replace('+', "%2B")
        )),
        _ => None,
    };
    Ok(Agent {
        id: r.id,
        name: r.name,
        template: r.template,
        status: r.status,
        voice_id: r.voice_id,
        greeting: r.greeting,
        language: r.language,
        instructions: r.instructions,
        tools: r.tools,
        profile: r.profile,
        number,
        test_call_url,
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

async fn fetch_view(
    app: &App,
    client: &impl GenericClient,
    account_id: Uuid,
    id: Uuid,
) -> Result<Agent> {
    let row = client
        .query_opt(
            &format!(
                "SELECT {RECORD_COLUMNS}, n.id, n.number, n.status {VIEW_FROM}
                 WHERE a.id = $1 AND a.account_id = $2 AND a.deleted_at IS NULL"
            ),
            &[&id, &account_id],
        )
        .await?
        .ok_or(Error::NotFound)?;
    view(app, &row)
}

/// The account's agents, oldest first.
pub async fn list(app: &App, account_id: Uuid) -> Result<AgentList> {
    let db = app.db.get().await?;
    let rows = db
        .query(
            &format!(
                "SELECT {RECORD_COLUMNS}, n.id, n.number, n.status {VIEW_FROM}
                 WHERE a.account_id = $1 AND a.deleted_at IS NULL ORDER BY a.created_at, a.id"
            ),
            &[&account_id],
        )
        .await?;
    Ok(AgentList {
        agents: rows.iter().map(|r| view(app, r)).collect::<Result<_>>()?,
    })
}

/// One of the account's agents. While its number is still activating at
/// Vapi, Vapi is asked first, so the owner sees when it goes live.
pub async fn get(app: &App, account_id: Uuid, id: Uuid) -> Result<Agent> {
    let agent = fetch_view(app, &app.db.get().await?, account_id, id).await?;
    match &agent.number {
        Some(n) if n.status == "activating" => {
            crate::numbers::refresh_activating(app, Some(n.id)).await?;
            fetch_view(app, &app.db.get().await?, account_id, id).await
        }
        _ => Ok(agent),
    }
}

/// The editable fields of an agent, checked together.
struct Fields {
    name: String,
    voice_id: String,
    greeting: String,
    language: String,
    instructions: String,
    tools: Vec<String>,
    profile: BusinessProfile,
}

fn validate(f: Fields) -> Result<Fields> {
    let mut v = Validator::new();
    let name = f.name.trim().to_string();
    v.check(
        (1..=80).contains(&name.chars().count()),
        "name",
        "Give the agent a name of 1 to 80 characters.",
    );
    v.check(
        templates::is_voice(&f.voice_id),
        "voice_id",
        "Choose one of the listed voices.",
    );
    v.check(
        templates::is_language(&f.language),
        "language",
        "Choose one of the listed languages.",
    );
    v.check(
        f.greeting.chars().count() <= 500,
        "greeting",
        "Use at most 500 characters.",
    );
    v.check(
        f.instructions.chars().count() <= 4000,
        "instructions",
        "Use at most 4000 characters.",
    );
    let mut seen = Vec::new();
    for (i, t) in f.tools.iter().enumerate() {
        v.check(
            tools::find(t).is_some(),
            &format!("tools[{i}]"),
            "This tool does not exist.",
        );
        v.check(!seen.contains(t), &format!("tools[{i}]"), "Listed twice.");
        seen.push(t.clone());
    }
    profile::validate(&mut v, "profile", &f.profile);
    v.finish()?;
    Ok(Fields {
        name,
        greeting: f.greeting.trim().to_string(),
        instructions: f.instructions.trim().to_string(),
        profile: profile::normalized(f.profile),
        ..f
    })
}

/// Where a new agent's profile starts: the account's business name, a
/// US Eastern time zone (the owner changes it in the editor), the
/// template's after-hours behaviour.
fn starting_profile(business_name: &str, template: &templates::Spec) -> BusinessProfile {
    BusinessProfile {
        business_name: business_name.to_string(),
        timezone: "America/New_York".into(),
        after_hours: template.after_hours,
        ..Default::default()
    }
}

pub async fn create(app: &App, account_id: Uuid, request: NewAgent) -> Result<Agent> {
    let template = templates::template(&request.template)
        .ok_or_else(|| Error::field("template", "Choose one of the templates, or custom."))?;
    let mut db = app.db.get().await?;
    let business_name: String = db
        .query_one(
            "SELECT business_name FROM accounts WHERE id = $1",
            &[&account_id],
        )
        .await?
        .get(0);
    let fields = validate(Fields {
        name: request.name.unwrap_or_else(|| template.name.to_string()),
        voice_id: request.voice_id.unwrap_or_else(|| template.voice_id.into()),
        greeting: request.greeting.unwrap_or_else(|| template.greeting.into()),
        language: request.language.unwrap_or_else(|| "en".into()),
        instructions: request.instructions.unwrap_or_default(),
        tools: request
            .tools
            .unwrap_or_else(|| template.tools.iter().map(|s| s.to_string()).collect()),
        profile: request
            .profile
            .unwrap_or_else(|| starting_profile(&business_name, template)),
    })?;
    let tx = db.transaction().await?;
    let id: Uuid = tx
        .query_one(
            "INSERT INTO agents (account_id, name, template, voice_id, greeting, language, instructions, tools, profile)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            &[
                &account_id,
                &fields.name,
                &template.id,
                &fields.voice_id,
                &fields.greeting,
                &fields.language,
                &fields.instructions,
                &fields.tools,
                &profile_json(&fields.profile),
            ],
        )
        .await?
        .get(0);
    knowledge::rebuild(&tx, id, &fields.profile).await?;
    let agent = fetch_view(app, &tx, account_id, id).await?;
    tx.commit().await?;
    tracing::info!(%account_id, agent_id = %id, template = template.id, "agent created");
    Ok(agent)
}

fn profile_json(p: &BusinessProfile) -> serde_json::Value {
    serde_json::to_value(p).expect("profiles serialize")
}

pub async fn update(app: &App, account_id: Uuid, id: Uuid, patch: AgentPatch) -> Result<Agent> {
    let mut db = app.db.get().await?;
    let tx = db.transaction().await?;
    let row = tx
        .query_opt(
            &format!(
                "SELECT {RECORD_COLUMNS} FROM agents a
                 WHERE a.id = $1 AND a.account_id = $2 AND a.deleted_at IS NULL FOR UPDATE"
            ),
            &[&id, &account_id],
        )
        .await?
        .ok_or(Error::NotFound)?;
    let current = record(&row)?;
    let profile_changed = patch.profile.is_some();
    let fields = validate(Fields {
        name: patch.name.unwrap_or(current.name),
        voice_id: patch.voice_id.unwrap_or(current.voice_id),
        greeting: patch.greeting.unwrap_or(current.greeting),
        language: patch.language.unwrap_or(current.language),
        instructions: patch.instructions.unwrap_or(current.instructions),
        tools: patch.tools.unwrap_or(current.tools),
        profile: patch.profile.unwrap_or(current.profile),
    })?;
    tx.execute(
        "UPDATE agents SET name = $2, voice_id = $3, greeting = $4, language = $5, instructions = $6,
                tools = $7, profile = $8, updated_at = now() WHERE id = $1",
        &[
            &id,
            &fields.name,
            &fields.voice_id,
            &fields.greeting,
            &fields.language,
            &fields.instructions,
            &fields.tools,
            &profile_json(&fields.profile),
        ],
    )
    .await?;
    if profile_changed {
        knowledge::rebuild(&tx, id, &fields.profile).await?;
    }
    let agent = fetch_view(app, &tx, account_id, id).await?;
    tx.commit().await?;
    Ok(agent)
}

/// Deletes the agent (its calls and messages stay in the history) and
/// puts its number back in the pool.
pub async fn delete(app: &App, account_id: Uuid, id: Uuid) -> Result<()> {
    let mut db = app.db.get().await?;
    let tx = db.transaction().await?;
    let deleted = tx
        .execute(
            "UPDATE agents SET deleted_at = now(), status = 'paused', updated_at = now()
             WHERE id = $1 AND account_id = $2 AND deleted_at IS NULL",
            &[&id, &account_id],
        )
        .await?;
    if deleted == 0 {
        return Err(Error::NotFound);
    }
    crate::numbers::release_in(&tx, id).await?;
    tx.commit().await?;
    tracing::info!(%account_id, agent_id = %id, "agent deleted");
    Ok(())
}

/// Pauses or resumes one of the account's agents. A paused agent's calls
/// are refused (or transferred to the fallback number).
pub async fn set_status(
    app: &App,
    account_id: Uuid,
    id: Uuid,
    status: AgentStatus,
) -> Result<Agent> {
    let db = app.db.get().await?;
    let changed = db
        .execute(
            "UPDATE agents SET status = $3, updated_at = now()
             WHERE id = $1 AND account_id = $2 AND deleted_at IS NULL",
            &[&id, &account_id, &status_text(status)],
        )
        .await?;
    if changed == 0 {
        return Err(Error::NotFound);
    }
    fetch_view(app, &db, account_id, id).await
}

// ---------------------------------------------------------------- admin ----

const ADMIN_COLUMNS: &str =
    "a.id, a.name, a.template, a.status, a.account_id, ac.business_name, n.number, a.created_at";
const ADMIN_FROM: &str = "FROM agents a JOIN accounts ac ON ac.id = a.account_id
     LEFT JOIN phone_numbers n ON n.agent_id = a.id";

fn admin_agent(row: &tokio_postgres::Row) -> AdminAgent {
    AdminAgent {
        id: row.get(0),
        name: row.get(1),
        template: row.get(2),
        status: status_of(row.get(3)),
        account_id: row.get(4),
        business_name: row.get(5),
        number: row.get(6),
        created_at: row.get(7),
    }
}

/// Every agent of every account, newest first; `q` matches the agent's or
/// the business's name.
pub async fn admin_list(app: &App, query: AdminAgentQuery) -> Result<AdminAgentPage> {
    let mut v = Validator::new();
    let (page, per_page) = v.page(query.page, query.per_page, 25);
    let q = query.q.unwrap_or_default();
    v.check(q.chars().count() <= 200, "q", "The search is too long.");
    v.finish()?;
    let pattern = crate::db::contains_pattern(q.trim());
    let filter = "a.deleted_at IS NULL AND (a.name ILIKE $1 OR ac.business_name ILIKE $1)";
    let db = app.db.get().await?;
    let total: i64 = db
        .query_one(
            &format!("SELECT count(*) {ADMIN_FROM} WHERE {filter}"),
            &[&pattern],
        )
        .await?
        .get(0);
    let rows = db
        .query(
            &format!(
                "SELECT {ADMIN_COLUMNS} {ADMIN_FROM} WHERE {filter}
                 ORDER BY a.created_at DESC, a.id LIMIT $2 OFFSET $3"
            ),
            &[&pattern, &per_page, &((page - 1).saturating_mul(per_page))],
        )
        .await?;
    Ok(AdminAgentPage {
        agents: rows.iter().map(admin_agent).collect(),
        total,
        page,
        per_page,
    })
}

/// An admin pauses or resumes any agent.
pub async fn admin_set_status(app: &App, id: Uuid, status: AgentStatus) -> Result<AdminAgent> {
    let db = app.db.get().await?;
    let changed = db
        .execute(
            "UPDATE agents SET status = $2, updated_at = now() WHERE id = $1 AND deleted_at IS NULL",
            &[&id, &status_text(status)],
        )
        .await?;
    if changed == 0 {
        return Err(Error::NotFound);
    }
    let row = db
        .query_one(
            &format!("SELECT {ADMIN_COLUMNS} {ADMIN_FROM} WHERE a.id = $1"),
            &[&id],
        )
        .await?;
    tracing::info!(agent_id = %id, status = status_text(status), "agent status set by an admin");
    Ok(admin_agent(&row))
}

/// `GET /api/templates`.
pub fn catalog() -> api::Catalog {
    templates::catalog()
}
