//! `GET /api/templates`: what an agent can be — the templates, the voices,
//! the tools and the languages.

use crate::agents::templates::{LANGUAGES, TEMPLATES, VOICES};
use crate::api::{Catalog, Template, ToolInfo, Voice};
use crate::tools;

pub fn catalog() -> Catalog {
    Catalog {
        templates: TEMPLATES
            .iter()
            .map(|t| Template {
                id: t.id,
                name: t.name.into(),
                description: t.description.into(),
                greeting: t.greeting.into(),
                voice_id: t.voice_id.into(),
                tools: t.tools.to_vec(),
                after_hours: t.after_hours,
            })
            .collect(),
        voices: VOICES
            .iter()
            .map(|(id, description)| Voice {
                id: id.to_string(),
                name: id.to_string(),
                description: description.to_string(),
            })
            .collect(),
        tools: tools::ALL
            .iter()
            .map(|t| ToolInfo {
                name: t.name,
                title: t.title.into(),
                description: t.description.into(),
            })
            .collect(),
        languages: LANGUAGES
            .iter()
            .map(|(c, n)| (c.to_string(), n.to_string()))
            .collect(),
    }
}
