//! The searchable facts of an agent's profile (`agent_knowledge`): rebuilt
//! from the profile on every save, searched with PostgreSQL full-text search
//! by `lookup_business_info` and `knowledge-base-request`.

use super::profile;
use crate::api::AgentId;
use crate::api::BusinessProfile;
use crate::app::App;
use crate::error::Result;
use deadpool_postgres::Transaction;

/// One fact.
#[derive(Debug, Clone, PartialEq)]
pub struct Fact {
    pub kind: &'static str,
    pub title: String,
    pub body: String,
}

/// The facts of a profile. Titles carry the words callers use ("open",
/// "hours", "price", "address"), so that short questions find them.
pub fn facts(p: &BusinessProfile, today: chrono::NaiveDate) -> Vec<Fact> {
    let mut out = Vec::new();
    let mut push = |kind, title: String, body: String| {
        if !body.trim().is_empty() {
            out.push(Fact { kind, title, body });
        }
    };
    let tz = if p.timezone.is_empty() {
        String::new()
    } else {
        format!(" (times in {})", p.timezone)
    };
    push(
        "hours",
        "Opening hours: when we are open and closed".into(),
        format!("{}{tz}.", profile::hours_sentence(&p.hours)),
    );
    let closures = profile::closures_sentence(p, today);
    push(
        "closures",
        "Holidays and closures: days we are closed".into(),
        if closures.is_empty() {
            String::new()
        } else {
            format!("We are {closures}.")
        },
    );
    push(
        "about",
        format!("About {}", p.business_name),
        p.description.clone(),
    );
    let mut contact = Vec::new();
    if !p.address.is_empty() {
        contact.push(format!("Address: {}", p.address));
    }
    if !p.phone.is_empty() {
        contact.push(format!("Phone: {}", p.phone));
    }
    push(
        "contact",
        "Address, location and phone: where to find us".into(),
        contact.join(". "),
    );
    if !p.services.is_empty() {
        push(
            "services",
            "Services and prices we offer".into(),
            p.services
                .iter()
                .map(|s| match s.price.as_str() {
                    "" => s.name.clone(),
                    price => format!("{} ({price})", s.name),
                })
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    for s in &p.services {
        push(
            "service",
            format!("Service: {}", s.name),
            profile::service_line(s),
        );
    }
    for f in &p.faqs {
        push("faq", f.question.clone(), f.answer.clone());
    }
    out
}

/// Replaces the agent's facts with those of `profile`.
pub async fn rebuild_in(
    tx: &Transaction<'_>,
    agent_id: AgentId,
    p: &BusinessProfile,
) -> Result<()> {
    tx.execute(
        "DELETE FROM agent_knowledge WHERE agent_id = $1",
        &[&agent_id],
    )
    .await?;
    let facts = facts(p, chrono::Utc::now().date_naive());
    let kinds: Vec<&str> = facts.iter().map(|f| f.kind).collect();
    let titles: Vec<&str> = facts.iter().map(|f| f.title.as_str()).collect();
    let bodies: Vec<&str> = facts.iter().map(|f| f.body.as_str()).collect();
    tx.execute(
        "INSERT INTO agent_knowledge (agent_id, kind, title, body)
         SELECT $1, k, t, b FROM unnest($2::text[], $3::text[], $4::text[]) AS u(k, t, b)",
        &[&agent_id, &kinds, &titles, &bodies],
    )
    .await?;
    Ok(())
}

/// A fact found for a question, with its rank.
#[derive(Debug, Clone)]
pub struct Found {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub rank: f32,
}

/// The agent's facts that best match `query`, best first: every word must
/// match (websearch syntax); failing that, any word.
pub async fn search(app: &App, agent_id: AgentId, query: &str, limit: i64) -> Result<Vec<Found>> {
    let db = app.db.get().await?;
    let rows = db
        .query(
            "WITH q AS (SELECT websearch_to_tsquery('english', $2) AS strict,
                               nullif(replace(plainto_tsquery('english', $2)::text, '&', '|'), '')::tsquery AS loose),
                  strict AS (SELECT k.id, k.title, k.body, ts_rank_cd(k.search, q.strict) AS rank
                             FROM agent_knowledge k, q WHERE k.agent_id = $1 AND k.search @@ q.strict),
                  loose AS (SELECT k.id, k.title, k.body, ts_rank_cd(k.search, q.loose) AS rank
                            FROM agent_knowledge k, q
                            WHERE k.agent_id = $1 AND q.loose IS NOT NULL AND k.search @@ q.loose
                              AND NOT EXISTS (SELECT 1 FROM strict))
             SELECT id, title, body, rank FROM strict
             UNION ALL SELECT id, title, body, rank FROM loose
             ORDER BY rank DESC, title LIMIT $3",
            &[&agent_id, &query, &limit],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| Found {
            id: r.get(0),
            title: r.get(1),
            body: r.get(2),
            rank: r.get(3),
        })
        .collect())
}
