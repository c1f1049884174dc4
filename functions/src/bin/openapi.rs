//! GET /api/openapi.json: the OpenAPI 3.1 document of the HTTP API,
//! generated from the manifest and the `shared::api` types.
use shared::{http::Reply, openapi, runtime};

fn main() {
    runtime::http("openapi", |_ctx, _req| async move {
        Ok(Reply::ok(openapi::document()))
    })
}
