//! Agents: an owner's AI receptionists, each with the business profile it
//! speaks for, its template, voice, greeting, instructions and tools. Every
//! query is scoped to the owner's account; another account's agent is 404.

pub mod knowledge;
pub mod profile;
pub mod templates;

use crate::api::{
    self, AccountId, AdminAgent, AdminAgentPage, AdminAgentQuery, Agent, AgentId, AgentList,
    AgentNumber, AgentPatch, AgentStatus, BusinessProfile, NewAgent, NumberId, NumberStatus,
    TakeNumber, TemplateId, ToolName, E164,
};
use crate::app::App;
use crate::credits::{self, policy::Standing};
use crate::error::{Error, Result, Validator};
use crate::numbers;
use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use tokio_postgres::Row;

/// An agent as stored, with what the voice pipeline needs.
#[derive(Debug, Clone)]
pub struct AgentRecord {
    pub id: AgentId,
    pub account_id: AccountId,
    pub name: String,
    pub template: TemplateId,
    pub status: AgentStatus,
    pub voice_id: String,
    pub greeting: String,
    pub language: String,
    pub instructions: String,
    pub tools: Vec<ToolName>,
    pub profile: BusinessProfile,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl AgentRecord {
    /// The number calls are transferred to, when the profile has a valid one.
    pub fn fallback_number(&self) -> Option<E164> {
        E164::parse(&self.profile.fallback_phone).ok()
    }

    pub fn has_tool(&self, tool: ToolName) -> bool {
        self.tools.contains(&tool)
    }
}

/// The columns [`record`] reads by name (`agents` aliased `a`).
macro_rules! record_columns {
    () => {
        "a.id, a.account_id, a.name, a.template, a.status, a.voice_id, a.greeting, a.language, \
         a.instructions, a.tools, a.profile, a.created_at, a.updated_at"
    };
}

/// Reads an agent from a row holding [`record_columns`].
fn record(row: &Row) -> Result<AgentRecord> {
    let profile: serde_json::Value = row.try_get("profile")?;
    Ok(AgentRecord {
        id: row.try_get("id")?,
        account_id: row.try_get("account_id")?,
        name: row.try_get("name")?,
        template: row.try_get("template")?,
        status: row.try_get("status")?,
        voice_id: row.try_get("voice_id")?,
        greeting: row.try_get("greeting")?,
        language: row.try_get("language")?,
        instructions: row.try_get("instructions")?,
        tools: row.try_get("tools")?,
        profile: serde_json::from_value(profile)
            .map_err(|e| Error::internal_from("stored agent profile", e))?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// An agent routed for a call: what assistant-request needs to answer.
#[derive(Debug, Clone)]
pub struct Routed {
    pub agent: AgentRecord,
    pub number_id: NumberId,
    pub standing: Standing,
}

/// The agent answering Vapi number `vapi_number_id`, with its number and
/// its account's standing; `None` for a number no agent answers.
pub async fn for_number(
    client: &impl GenericClient,
    vapi_number_id: &str,
) -> Result<Option<Routed>> {
    let Some(row) = client
        .query_opt(
            concat!(
                "SELECT ",
                record_columns!(),
                ", n.id AS number_id FROM phone_numbers n
                 JOIN agents a ON a.id = n.agent_id AND a.deleted_at IS NULL
                 WHERE n.vapi_id = $1"
            ),
            &[&vapi_number_id],
        )
        .await?
    else {
        return Ok(None);
    };
    let agent = record(&row)?;
    let standing = credits::standing_of(client, agent.account_id).await?;
    Ok(Some(Routed {
        number_id: row.try_get("number_id")?,
        agent,
        standing,
    }))
}

/// One agent, whatever its account (the voice pipeline, which found it
/// through a call or a number).
pub async fn record_of(client: &impl GenericClient, id: AgentId) -> Result<Option<AgentRecord>> {
    client
        .query_opt(
            concat!(
                "SELECT ",
                record_columns!(),
                " FROM agents a WHERE a.id = $1"
            ),
            &[&id],
        )
        .await?
        .as_ref()
        .map(record)
        .transpose()
}

/// The agent view: an agent with its number (`agents` aliased `a`, the
/// agent's number `n`).
macro_rules! view_select {
    () => {
        concat!(
            "SELECT ",
            record_columns!(),
            ", n.id AS number_id, n.number AS number, n.status AS number_status
             FROM agents a LEFT JOIN phone_numbers n ON n.agent_id = a.id"
        )
    };
}

fn view(app: &App, row: &Row) -> Result<Agent> {
    let r = record(row)?;
    let number = match row.try_get::<_, Option<NumberId>>("number_id")? {
        Some(id) => Some(AgentNumber {
            id,
            number: row.try_get("number")?,
            status: row.try_get("number_status")?,
        }),
        None => None,
    };
    let test_call_url = match (&app.config.vapi.simulator_url, &number) {
        (Some(sim), Some(n)) => Some(format!(
            "{sim}/_sandbox?number={}",
            n.number.as_str().replace('+', "%2B")
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
    account_id: AccountId,
    id: AgentId,
) -> Result<Agent> {
    let row = client
        .query_opt(
            concat!(
                view_select!(),
                " WHERE a.id = $1 AND a.account_id = $2 AND a.deleted_at IS NULL"
            ),
            &[&id, &account_id],
        )
        .await?
        .ok_or(Error::NotFound)?;
    view(app, &row)
}

/// The account's agents, oldest first.
pub async fn list(app: &App, account_id: AccountId) -> Result<AgentList> {
    let db = app.db.get().await?;
    let rows = db
        .query(
            concat!(
                view_select!(),
                " WHERE a.account_id = $1 AND a.deleted_at IS NULL ORDER BY a.created_at, a.id"
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
pub async fn get(app: &App, account_id: AccountId, id: AgentId) -> Result<Agent> {
    let agent = fetch_view(app, &app.db.get().await?, account_id, id).await?;
    match &agent.number {
        Some(n) if n.status == NumberStatus::Activating => {
            numbers::refresh_activating(app, Some(n.id)).await?;
            fetch_view(app, &app.db.get().await?, account_id, id).await
        }
        _ => Ok(agent),
    }
}

/// The editable fields of an agent as given, checked together.
struct Fields {
    name: String,
    voice_id: String,
    greeting: String,
    language: String,
    instructions: String,
    tools: Vec<String>,
    profile: BusinessProfile,
}

/// The fields once checked.
struct Valid {
    name: String,
    voice_id: String,
    greeting: String,
    language: String,
    instructions: String,
    tools: Vec<ToolName>,
    profile: BusinessProfile,
}

fn validate(f: Fields) -> Result<Valid> {
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
    let mut tools: Vec<ToolName> = Vec::new();
    for (i, t) in f.tools.iter().enumerate() {
        let field = format!("tools[{i}]");
        match t.parse::<ToolName>() {
            Ok(tool) if tools.contains(&tool) => {
                v.check(false, &field, "Listed twice.");
            }
            Ok(tool) => tools.push(tool),
            Err(_) => {
                v.check(false, &field, "This tool does not exist.");
            }
        }
    }
    profile::validate(&mut v, "profile", &f.profile);
    v.finish()?;
    Ok(Valid {
        name,
        voice_id: f.voice_id,
        greeting: f.greeting.trim().to_string(),
        language: f.language,
        instructions: f.instructions.trim().to_string(),
        tools,
        profile: profile::normalized(f.profile),
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

fn tool_names(tools: &[ToolName]) -> Vec<String> {
    tools.iter().map(|t| t.as_str().to_string()).collect()
}

/// A new agent of `account` (the signed-in owner's, whose business name
/// the profile starts with).
pub async fn create(app: &App, account: &api::Account, request: NewAgent) -> Result<Agent> {
    let account_id = account.id;
    let template = request
        .template
        .parse::<TemplateId>()
        .ok()
        .map(templates::spec)
        .ok_or_else(|| Error::field("template", "Choose one of the templates, or custom."))?;
    let fields = validate(Fields {
        name: request.name.unwrap_or_else(|| template.name.to_string()),
        voice_id: request.voice_id.unwrap_or_else(|| template.voice_id.into()),
        greeting: request.greeting.unwrap_or_else(|| template.greeting.into()),
        language: request.language.unwrap_or_else(|| "en".into()),
        instructions: request.instructions.unwrap_or_default(),
        tools: request.tools.unwrap_or_else(|| tool_names(template.tools)),
        profile: request
            .profile
            .unwrap_or_else(|| starting_profile(&account.business_name, template)),
    })?;
    let mut db = app.db.get().await?;
    let tx = db.transaction().await?;
    let id: AgentId = tx
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
        .try_get(0)?;
    knowledge::rebuild_in(&tx, id, &fields.profile).await?;
    let agent = fetch_view(app, &tx, account_id, id).await?;
    tx.commit().await?;
    tracing::info!(%account_id, agent_id = %id, template = %template.id, "agent created");
    Ok(agent)
}

fn profile_json(p: &BusinessProfile) -> serde_json::Value {
    serde_json::to_value(p).expect("profiles serialize")
}

pub async fn update(
    app: &App,
    account_id: AccountId,
    id: AgentId,
    patch: AgentPatch,
) -> Result<Agent> {
    let mut db = app.db.get().await?;
    let tx = db.transaction().await?;
    let current = lock_in(&tx, account_id, id).await?;
    let profile_changed = patch.profile.is_some();
    let fields = validate(Fields {
        name: patch.name.unwrap_or(current.name),
        voice_id: patch.voice_id.unwrap_or(current.voice_id),
        greeting: patch.greeting.unwrap_or(current.greeting),
        language: patch.language.unwrap_or(current.language),
        instructions: patch.instructions.unwrap_or(current.instructions),
        tools: patch.tools.unwrap_or_else(|| tool_names(&current.tools)),
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
        knowledge::rebuild_in(&tx, id, &fields.profile).await?;
    }
    let agent = fetch_view(app, &tx, account_id, id).await?;
    tx.commit().await?;
    Ok(agent)
}

/// Locks one of the account's agents for a change inside `tx` (404 for
/// any other agent) and returns it as it is.
async fn lock_in(
    tx: &deadpool_postgres::Transaction<'_>,
    account_id: AccountId,
    id: AgentId,
) -> Result<AgentRecord> {
    let row = tx
        .query_opt(
            concat!(
                "SELECT ",
                record_columns!(),
                " FROM agents a
                 WHERE a.id = $1 AND a.account_id = $2 AND a.deleted_at IS NULL FOR UPDATE"
            ),
            &[&id, &account_id],
        )
        .await?
        .ok_or(Error::NotFound)?;
    record(&row)
}

/// Deletes the agent (its calls and messages stay in the history) and
/// puts its number back in the pool.
pub async fn delete(app: &App, account_id: AccountId, id: AgentId) -> Result<()> {
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
    numbers::release_in(&tx, id).await?;
    tx.commit().await?;
    tracing::info!(%account_id, agent_id = %id, "agent deleted");
    Ok(())
}

/// Gives the agent a number from the pool (preferably in `area_code`,
/// preferably already active). An agent that has a number keeps it.
pub async fn take_number(
    app: &App,
    account_id: AccountId,
    id: AgentId,
    request: TakeNumber,
) -> Result<Agent> {
    let area_code = numbers::area_code_arg(request.area_code)?;
    let mut db = app.db.get().await?;
    let tx = db.transaction().await?;
    lock_in(&tx, account_id, id).await?;
    numbers::assign_in(&tx, account_id, id, area_code.as_ref()).await?;
    tx.commit().await?;
    drop(db);
    get(app, account_id, id).await
}

/// Puts the agent's number back in the pool.
pub async fn release_number(app: &App, account_id: AccountId, id: AgentId) -> Result<Agent> {
    let mut db = app.db.get().await?;
    let tx = db.transaction().await?;
    lock_in(&tx, account_id, id).await?;
    numbers::release_in(&tx, id).await?;
    tx.commit().await?;
    drop(db);
    get(app, account_id, id).await
}

/// Pauses or resumes one of the account's agents. A paused agent's calls
/// are refused (or transferred to the fallback number).
pub async fn set_status(
    app: &App,
    account_id: AccountId,
    id: AgentId,
    status: AgentStatus,
) -> Result<Agent> {
    let db = app.db.get().await?;
    let changed = db
        .execute(
            "UPDATE agents SET status = $3, updated_at = now()
             WHERE id = $1 AND account_id = $2 AND deleted_at IS NULL",
            &[&id, &account_id, &status],
        )
        .await?;
    if changed == 0 {
        return Err(Error::NotFound);
    }
    fetch_view(app, &db, account_id, id).await
}

// ---------------------------------------------------------------- admin ----

/// The admin list's read model: agents with their business and number.
macro_rules! admin_from {
    () => {
        "FROM agents a JOIN accounts ac ON ac.id = a.account_id
         LEFT JOIN phone_numbers n ON n.agent_id = a.id"
    };
}
macro_rules! admin_select {
    () => {
        concat!(
            "SELECT a.id, a.name, a.template, a.status, a.account_id, ac.business_name,
                    n.number, a.created_at ",
            admin_from!()
        )
    };
}

fn admin_agent(row: &Row) -> Result<AdminAgent> {
    Ok(AdminAgent {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        template: row.try_get("template")?,
        status: row.try_get("status")?,
        account_id: row.try_get("account_id")?,
        business_name: row.try_get("business_name")?,
        number: row.try_get("number")?,
        created_at: row.try_get("created_at")?,
    })
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
    macro_rules! filter {
        () => {
            " WHERE a.deleted_at IS NULL AND (a.name ILIKE $1 OR ac.business_name ILIKE $1)"
        };
    }
    let db = app.db.get().await?;
    let total: i64 = db
        .query_one(
            concat!("SELECT count(*) ", admin_from!(), filter!()),
            &[&pattern],
        )
        .await?
        .try_get(0)?;
    let rows = db
        .query(
            concat!(
                admin_select!(),
                filter!(),
                " ORDER BY a.created_at DESC, a.id LIMIT $2 OFFSET $3"
            ),
            &[&pattern, &per_page, &((page - 1).saturating_mul(per_page))],
        )
        .await?;
    Ok(AdminAgentPage {
        agents: rows.iter().map(admin_agent).collect::<Result<_>>()?,
        total,
        page,
        per_page,
    })
}

/// An admin pauses or resumes any agent.
pub async fn admin_set_status(app: &App, id: AgentId, status: AgentStatus) -> Result<AdminAgent> {
    let db = app.db.get().await?;
    let changed = db
        .execute(
            "UPDATE agents SET status = $2, updated_at = now() WHERE id = $1 AND deleted_at IS NULL",
            &[&id, &status],
        )
        .await?;
    if changed == 0 {
        return Err(Error::NotFound);
    }
    let row = db
        .query_one(concat!(admin_select!(), " WHERE a.id = $1"), &[&id])
        .await?;
    tracing::info!(agent_id = %id, %status, "agent status set by an admin");
    admin_agent(&row)
}
