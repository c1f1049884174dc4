//! The OpenAPI 3.1 document of the HTTP API (`GET /api/openapi.json`),
//! generated from the manifest (routes, who may call them, the types they
//! take and answer) and the JSON Schemas of the `shared::api` types.

use crate::api;
use crate::manifest::{Access, FunctionSpec, Manifest};
use schemars::{generate::SchemaSettings, JsonSchema, Schema, SchemaGenerator};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The document, built once per process.
pub fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| build(Manifest::embedded()))
}

/// The schemas the manifest may name: `shared::api` types, and the
/// providers' own payloads (described, not modelled: see their docs).
struct Registry {
    generator: SchemaGenerator,
    refs: BTreeMap<&'static str, Schema>,
}

macro_rules! register {
    ($registry:expr, $($ty:ident),+ $(,)?) => {
        $( $registry.add::<api::$ty>(stringify!($ty)); )+
    };
}

impl Registry {
    fn new() -> Registry {
        let mut settings = SchemaSettings::draft2020_12();
        settings.definitions_path = "/components/schemas".into();
        settings.meta_schema = None;
        let mut registry = Registry {
            generator: settings.into_generator(),
            refs: BTreeMap::new(),
        };
        register!(
            registry,
            ErrorBody,
            Hello,
            Me,
            SignupRequest,
            LoginRequest,
            ChangePasswordRequest,
            ForgotPasswordRequest,
            ResetPasswordRequest,
            VerifyEmailRequest,
            MessageResponse,
            VerifyEmailResponse,
            AdminUserQuery,
            AdminUserPage,
            AdminUserDetail,
            PackList,
            Pack,
            NewPack,
            PackPatch,
            CheckoutRequest,
            CheckoutResponse,
            Purchase,
            Credits,
            PageQuery,
            LedgerPage,
            LedgerEntry,
            AdjustCreditsRequest,
            OverageRequest,
            Catalog,
            AgentList,
            NewAgent,
            Agent,
            AgentPatch,
            TakeNumber,
            CallQuery,
            CallPage,
            CallDetail,
            MessageQuery,
            MessagePage,
            CallerMessage,
            AdminAgentQuery,
            AdminAgentPage,
            AdminAgent,
            NumberPool,
            ProvisionNumbers,
        );
        for (name, description) in [
            ("StripeEvent", "A Stripe event, as Stripe sends it (signed with Stripe-Signature)."),
            ("WebhookReceipt", "What the Stripe webhook did with the event."),
            ("VapiServerMessage", "A Vapi server message (`{\"message\": {\"type\": …}}`), as Vapi sends it."),
            ("VapiAnswer", "The answer Vapi expects for the message type (an assistant, tool results, a destination, or `{}`)."),
            ("OpenApiDocument", "This document."),
        ] {
            registry
                .generator
                .definitions_mut()
                .insert(name.into(), json!({"type": "object", "description": description}));
            registry.refs.insert(
                name,
                schemars::json_schema!({ "$ref": format!("#/components/schemas/{name}") }),
            );
        }
        registry
    }

    fn add<T: JsonSchema>(&mut self, name: &'static str) {
        let schema = self.generator.subschema_for::<T>();
        self.refs.insert(name, schema);
    }

    fn schema(&self, name: &str) -> Option<Value> {
        self.refs.get(name).map(|s| s.as_value().clone())
    }

    /// The query parameters of type `name`: its properties, all optional.
    fn query_parameters(&self, name: &str) -> Option<Vec<Value>> {
        let definition = self.generator.definitions().get(name)?;
        let properties = definition.get("properties")?.as_object()?;
        Some(
            properties
                .iter()
                .map(|(field, schema)| {
                    json!({"name": field, "in": "query", "required": false, "schema": schema})
                })
                .collect(),
        )
    }
}

fn build(manifest: &Manifest) -> Value {
    let mut registry = Registry::new();
    let mut paths: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    for f in &manifest.functions {
        let (Some(method), Some(path)) = (&f.method, &f.path) else {
            continue;
        };
        paths
            .entry(path.clone())
            .or_default()
            .insert(method.to_lowercase(), operation(&registry, f, path));
    }
    let schemas = registry.generator.take_definitions(true);
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Kametrix API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The HTTP API of Kametrix, the AI receptionist. Every route is one function of infra/functions.toml. Errors are {\"error\": {\"code\", \"message\", \"fields\"?}} with a 4xx or 5xx status.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": crate::accounts::sessions::COOKIE_NAME},
                "csrf": {"type": "apiKey", "in": "header", "name": api::CSRF_HEADER},
                "vapi": {"type": "apiKey", "in": "header", "name": "X-Vapi-Secret", "description": "Or Authorization: Bearer, or an HMAC signature, per VAPI_WEBHOOK_AUTH."},
                "stripe": {"type": "apiKey", "in": "header", "name": "Stripe-Signature"},
            },
        },
    })
}

fn operation(registry: &Registry, f: &FunctionSpec, path: &str) -> Value {
    let known = |name: &str| {
        registry
            .schema(name)
            .unwrap_or_else(|| panic!("function `{}`: unknown api type {name}", f.name))
    };
    let mut parameters: Vec<Value> = path
        .split('/')
        .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}}))
        .collect();
    if let Some(query) = &f.query {
        parameters.extend(
            registry
                .query_parameters(query)
                .unwrap_or_else(|| panic!("function `{}`: {query} has no properties", f.name)),
        );
    }
    let status = f
        .status
        .unwrap_or(if f.response.is_some() { 200 } else { 204 });
    let success = match &f.response {
        Some(name) => {
            json!({"description": "Success.", "content": {"application/json": {"schema": known(name)}}})
        }
        None => json!({"description": "Done; no body."}),
    };
    let mut op = json!({
        "operationId": f.name,
        "parameters": parameters,
        "responses": {
            status.to_string(): success,
            "default": {"description": "An error.", "content": {"application/json": {"schema": known("ErrorBody")}}},
        },
        "x-kametrix-access": format!("{:?}", f.access).to_lowercase(),
    });
    if let Some(request) = &f.request {
        op["requestBody"] =
            json!({"required": true, "content": {"application/json": {"schema": known(request)}}});
    }
    let unsafe_method = f.method.as_deref() != Some("GET");
    op["security"] = match f.access {
        Access::Public | Access::System => json!([]),
        Access::Owner | Access::Admin if unsafe_method => json!([{"session": [], "csrf": []}]),
        Access::Owner | Access::Admin => json!([{"session": []}]),
        Access::Vapi => json!([{"vapi": []}]),
        Access::Stripe => json!([{"stripe": []}]),
    };
    op
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_http_route_of_the_manifest_is_described_with_its_types() {
        let doc = document();
        assert_eq!(doc["openapi"], "3.1.0");
        for f in &Manifest::embedded().functions {
            let (Some(method), Some(path)) = (&f.method, &f.path) else {
                continue;
            };
            let op = &doc["paths"][path][method.to_lowercase()];
            assert_eq!(op["operationId"], f.name.as_str(), "{method} {path}");
            assert!(
                f.response.is_some() || f.status == Some(204),
                "{}: name its response type (or status = 204)",
                f.name
            );
            if f.method.as_deref() != Some("GET") && f.method.as_deref() != Some("DELETE") {
                let takes_body = f.request.is_some();
                assert_eq!(op["requestBody"].is_object(), takes_body, "{}", f.name);
            }
        }
    }

    #[test]
    fn the_schemas_carry_the_enums_and_ids_of_the_api() {
        let schemas = &document()["components"]["schemas"];
        assert_eq!(schemas["AgentStatus"]["enum"], json!(["active", "paused"]));
        assert_eq!(schemas["AgentId"]["format"], "uuid");
        assert!(schemas["Agent"]["properties"]["tools"].is_object());
        let calls = &document()["paths"]["/api/calls"]["get"]["parameters"];
        assert!(calls
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "outcome" && p["in"] == "query"));
        let agent = &document()["paths"]["/api/agents/{id}"]["get"];
        assert_eq!(agent["parameters"][0]["in"], "path");
        assert_eq!(
            agent["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/Agent"
        );
    }
}
