//! The typed API client: one function per route of the manifest, whose
//! paths come from `shared::api::routes` (generated from
//! `infra/functions.toml`; see also `/api/openapi.json`).
//!
//! Same-origin relative URLs (`/api/...`), so the browser sends the session
//! cookie by itself. Every state-changing request made while signed in carries
//! the session's CSRF token in the `X-CSRF-Token` header.

use std::collections::BTreeMap;

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use shared::api::{
    routes, AccountId, AgentId, CallId, ErrorCode, MessageFilter, MessageId, PackId, PurchaseId,
};
use shared::api::{
    AdjustCreditsRequest, AdminAgent, AdminAgentPage, AdminUserDetail, AdminUserPage, Agent,
    AgentList, AgentPatch, CallDetail, CallPage, CallQuery, CallerMessage, Catalog,
    ChangePasswordRequest, CheckoutRequest, CheckoutResponse, Credits, ErrorBody,
    ForgotPasswordRequest, LedgerEntry, LedgerPage, LoginRequest, Me, MessagePage, MessageResponse,
    NewAgent, NewPack, NumberPool, OverageRequest, Pack, PackList, PackPatch, ProvisionNumbers,
    Purchase, ResetPasswordRequest, SignupRequest, TakeNumber, VerifyEmailRequest,
    VerifyEmailResponse, CSRF_HEADER,
};

/// What kind of failure an [`ApiError`] is: one of the API's codes, or a
/// failure outside the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The API answered `{"error": {"code": …}}`.
    Api(ErrorCode),
    /// The server could not be reached.
    Network,
    /// The server answered something that is not the API's JSON.
    Unexpected,
    /// Made here, in the browser (a check before sending).
    Local,
}

/// What went wrong with a request, ready to show to a person.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// HTTP status; 0 when the server could not be reached at all.
    pub status: u16,
    /// The API's error code, or a failure outside the API.
    pub code: ErrorKind,
    pub message: String,
    /// Field name → what is wrong with it (only for `validation_failed`).
    pub fields: BTreeMap<String, String>,
    /// Seconds from a `Retry-After` header (429).
    pub retry_after: Option<u32>,
}

impl ApiError {
    fn network() -> Self {
        ApiError {
            status: 0,
            code: ErrorKind::Network,
            message: "We couldn't reach Kametrix. Check your internet connection and try again."
                .into(),
            fields: BTreeMap::new(),
            retry_after: None,
        }
    }

    fn unexpected(status: u16) -> Self {
        let message = if status >= 500 || status == 0 {
            format!(
                "Something went wrong on our side (error {status}). Please try again in a moment."
            )
        } else {
            format!("Kametrix gave an unexpected answer (error {status}). Please try again in a moment.")
        };
        ApiError {
            status,
            code: ErrorKind::Unexpected,
            message,
            fields: BTreeMap::new(),
            retry_after: None,
        }
    }

    /// A client-side error shown like a server one.
    pub fn local(message: impl Into<String>) -> Self {
        ApiError {
            status: 0,
            code: ErrorKind::Local,
            message: message.into(),
            fields: BTreeMap::new(),
            retry_after: None,
        }
    }

    /// Whether the API answered with `code`.
    pub fn is(&self, code: ErrorCode) -> bool {
        self.code == ErrorKind::Api(code)
    }

    /// The session is missing, expired or revoked.
    pub fn is_unauthenticated(&self) -> bool {
        self.status == 401 && self.is(ErrorCode::Unauthenticated)
    }

    /// Signed in, but the route needs an admin.
    pub fn is_forbidden(&self) -> bool {
        self.status == 403 && self.is(ErrorCode::Forbidden)
    }

    /// No such thing (or not this account's).
    pub fn is_not_found(&self) -> bool {
        self.status == 404
    }

    /// The request was refused as a whole (400) or for this account (403).
    pub fn is_refused(&self) -> bool {
        self.status == 400 || self.status == 403
    }

    /// The session's CSRF token no longer matches (e.g. signed in elsewhere).
    pub fn is_csrf_failed(&self) -> bool {
        self.is(ErrorCode::CsrfFailed)
    }

    /// The link from an email is unknown, used or expired.
    pub fn is_invalid_token(&self) -> bool {
        self.is(ErrorCode::InvalidToken)
    }

    /// The current password given is not the account's.
    pub fn is_wrong_password(&self) -> bool {
        self.is(ErrorCode::WrongPassword)
    }

    /// A "not found" made here (an id in the URL that is not an id at all).
    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError {
            status: 404,
            code: ErrorKind::Api(ErrorCode::NotFound),
            ..ApiError::local(message)
        }
    }

    /// A client-side `validation_failed`: `fields` are (input name, message).
    pub fn invalid(fields: &[(&str, &str)]) -> Self {
        let mut err = ApiError::local("Some fields need attention.");
        err.code = ErrorKind::Api(ErrorCode::ValidationFailed);
        for (name, message) in fields {
            err.fields
                .insert((*name).to_string(), (*message).to_string());
        }
        err
    }

    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// The client. Holds the CSRF token of the current session, if any.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Api {
    csrf_token: Option<String>,
}

impl Api {
    pub fn new(csrf_token: Option<String>) -> Self {
        Api { csrf_token }
    }

    fn with_csrf(&self, builder: RequestBuilder) -> RequestBuilder {
        match &self.csrf_token {
            Some(token) => builder.header(CSRF_HEADER, token),
            None => builder,
        }
    }

    async fn get<T: DeserializeOwned>(&self, url: &str) -> ApiResult<T> {
        let builder = Request::get(url).header("Accept", "application/json");
        let response = builder.send().await.map_err(|_| ApiError::network())?;
        decode(response).await
    }

    async fn post<B: Serialize, T: DeserializeOwned>(&self, url: &str, body: &B) -> ApiResult<T> {
        self.send_json(Request::post(url), body).await
    }

    async fn patch<B: Serialize, T: DeserializeOwned>(&self, url: &str, body: &B) -> ApiResult<T> {
        self.send_json(Request::patch(url), body).await
    }

    /// Sends `body` as JSON (`json` sets `Content-Type: application/json`).
    async fn send_json<B: Serialize, T: DeserializeOwned>(
        &self,
        builder: RequestBuilder,
        body: &B,
    ) -> ApiResult<T> {
        let request = self
            .with_csrf(builder.header("Accept", "application/json"))
            .json(body)
            .map_err(|_| ApiError::local("Could not prepare the request."))?;
        let response = request.send().await.map_err(|_| ApiError::network())?;
        decode(response).await
    }

    /// A POST without a body whose answer is JSON (pause, resume, …).
    async fn post_action<T: DeserializeOwned>(&self, url: &str) -> ApiResult<T> {
        let builder = self.with_csrf(Request::post(url).header("Accept", "application/json"));
        let response = builder.send().await.map_err(|_| ApiError::network())?;
        decode(response).await
    }

    async fn delete<T: DeserializeOwned>(&self, url: &str) -> ApiResult<T> {
        let builder = self.with_csrf(Request::delete(url).header("Accept", "application/json"));
        let response = builder.send().await.map_err(|_| ApiError::network())?;
        decode(response).await
    }

    /// A DELETE answered by `204 No Content`.
    async fn delete_empty(&self, url: &str) -> ApiResult<()> {
        let builder = self.with_csrf(Request::delete(url).header("Accept", "application/json"));
        let response = builder.send().await.map_err(|_| ApiError::network())?;
        if response.ok() {
            Ok(())
        } else {
            Err(error_of(response).await)
        }
    }

    async fn post_empty(&self, url: &str) -> ApiResult<Response> {
        let builder = self.with_csrf(Request::post(url).header("Accept", "application/json"));
        let response = builder.send().await.map_err(|_| ApiError::network())?;
        if response.ok() {
            Ok(response)
        } else {
            Err(error_of(response).await)
        }
    }

    // ---- routes -----------------------------------------------------------

    pub async fn signup(&self, body: &SignupRequest) -> ApiResult<Me> {
        self.post(routes::AUTH_SIGNUP.path, body).await
    }

    pub async fn login(&self, body: &LoginRequest) -> ApiResult<Me> {
        self.post(routes::AUTH_LOGIN.path, body).await
    }

    pub async fn logout(&self) -> ApiResult<()> {
        self.post_empty(routes::AUTH_LOGOUT.path).await.map(|_| ())
    }

    pub async fn me(&self) -> ApiResult<Me> {
        self.get(routes::ME.path).await
    }

    pub async fn change_password(&self, body: &ChangePasswordRequest) -> ApiResult<Me> {
        self.post(routes::AUTH_PASSWORD.path, body).await
    }

    pub async fn forgot_password(
        &self,
        body: &ForgotPasswordRequest,
    ) -> ApiResult<MessageResponse> {
        self.post(routes::AUTH_FORGOT.path, body).await
    }

    pub async fn reset_password(&self, body: &ResetPasswordRequest) -> ApiResult<MessageResponse> {
        self.post(routes::AUTH_RESET.path, body).await
    }

    pub async fn verify_email(&self, body: &VerifyEmailRequest) -> ApiResult<VerifyEmailResponse> {
        self.post(routes::AUTH_VERIFY.path, body).await
    }

    pub async fn resend_verification(&self) -> ApiResult<MessageResponse> {
        let response = self.post_empty(routes::AUTH_VERIFY_RESEND.path).await?;
        response
            .json()
            .await
            .map_err(|_| ApiError::unexpected(response.status()))
    }

    pub async fn admin_users(&self, q: &str, page: i64, per_page: i64) -> ApiResult<AdminUserPage> {
        let mut params = vec![
            ("page", page.to_string()),
            ("per_page", per_page.to_string()),
        ];
        if !q.is_empty() {
            params.push(("q", q.to_string()));
        }
        self.get(&with_query(routes::ADMIN_USERS_LIST.path, &params))
            .await
    }

    /// `id` as it stands in the page's URL (it may not even be an id).
    pub async fn admin_user(&self, id: &str) -> ApiResult<AdminUserDetail> {
        let id = String::from(js_sys::encode_uri_component(id));
        self.get(&routes::ADMIN_USERS_GET.path_with(&[&id])).await
    }

    // ---- credits and billing ----------------------------------------------

    /// Active packs, in the order to show them.
    pub async fn packs(&self) -> ApiResult<PackList> {
        self.get(routes::BILLING_PACKS.path).await
    }

    /// Starts a Stripe Checkout for a pack; the browser goes to `url` next.
    pub async fn checkout(&self, pack_id: PackId) -> ApiResult<CheckoutResponse> {
        self.post(routes::BILLING_CHECKOUT.path, &CheckoutRequest { pack_id })
            .await
    }

    /// The signed-in account's balance, state and recent balance signals.
    pub async fn credits(&self) -> ApiResult<Credits> {
        self.get(routes::CREDITS_GET.path).await
    }

    pub async fn ledger(&self, page: i64, per_page: i64) -> ApiResult<LedgerPage> {
        self.get(&with_query(
            routes::CREDITS_LEDGER.path,
            &page_params(page, per_page),
        ))
        .await
    }

    pub async fn purchase(&self, id: PurchaseId) -> ApiResult<Purchase> {
        self.get(&routes::BILLING_PURCHASE_GET.path_with(&[&id]))
            .await
    }

    pub async fn admin_credits(&self, account_id: AccountId) -> ApiResult<Credits> {
        self.get(&routes::ADMIN_CREDITS_GET.path_with(&[&account_id]))
            .await
    }

    pub async fn admin_ledger(
        &self,
        id: AccountId,
        page: i64,
        per_page: i64,
    ) -> ApiResult<LedgerPage> {
        let path = routes::ADMIN_CREDITS_LEDGER.path_with(&[&id]);
        self.get(&with_query(&path, &page_params(page, per_page)))
            .await
    }

    pub async fn admin_adjust_credits(
        &self,
        id: AccountId,
        body: &AdjustCreditsRequest,
    ) -> ApiResult<LedgerEntry> {
        self.post(&routes::ADMIN_CREDITS_ADJUST.path_with(&[&id]), body)
            .await
    }

    /// `overage_limit_seconds: None` goes back to the default (sent as `null`).
    pub async fn admin_set_overage(
        &self,
        id: AccountId,
        body: &OverageRequest,
    ) -> ApiResult<Credits> {
        self.patch(&routes::ADMIN_CREDITS_OVERAGE.path_with(&[&id]), body)
            .await
    }

    /// Every pack, inactive ones included.
    pub async fn admin_packs(&self) -> ApiResult<PackList> {
        self.get(routes::ADMIN_PACKS_LIST.path).await
    }

    pub async fn admin_create_pack(&self, body: &NewPack) -> ApiResult<Pack> {
        self.post(routes::ADMIN_PACKS_CREATE.path, body).await
    }

    /// Sends only the fields that are set (`{"price_cents": 2000}`), not
    /// `null` for the others.
    pub async fn admin_update_pack(&self, id: PackId, patch: &PackPatch) -> ApiResult<Pack> {
        let mut body = serde_json::to_value(patch)
            .map_err(|_| ApiError::local("Could not prepare the request."))?;
        if let serde_json::Value::Object(map) = &mut body {
            map.retain(|_, v| !v.is_null());
        }
        self.patch(&routes::ADMIN_PACKS_UPDATE.path_with(&[&id]), &body)
            .await
    }

    // ---- agents -------------------------------------------------------------

    /// Templates, and the voices, tools and languages an agent may use.
    pub async fn templates(&self) -> ApiResult<Catalog> {
        self.get(routes::TEMPLATES_LIST.path).await
    }

    pub async fn agents(&self) -> ApiResult<AgentList> {
        self.get(routes::AGENTS_LIST.path).await
    }

    pub async fn create_agent(&self, body: &NewAgent) -> ApiResult<Agent> {
        self.post(routes::AGENTS_CREATE.path, body).await
    }

    pub async fn agent(&self, id: AgentId) -> ApiResult<Agent> {
        self.get(&routes::AGENTS_GET.path_with(&[&id])).await
    }

    pub async fn update_agent(&self, id: AgentId, patch: &AgentPatch) -> ApiResult<Agent> {
        self.patch(&routes::AGENTS_UPDATE.path_with(&[&id]), patch)
            .await
    }

    pub async fn delete_agent(&self, id: AgentId) -> ApiResult<()> {
        self.delete_empty(&routes::AGENTS_DELETE.path_with(&[&id]))
            .await
    }

    pub async fn pause_agent(&self, id: AgentId) -> ApiResult<Agent> {
        self.post_action(&routes::AGENTS_PAUSE.path_with(&[&id]))
            .await
    }

    pub async fn resume_agent(&self, id: AgentId) -> ApiResult<Agent> {
        self.post_action(&routes::AGENTS_RESUME.path_with(&[&id]))
            .await
    }

    /// Takes a number from the pool; `409 no_numbers_available` when it is empty.
    pub async fn take_number(&self, id: AgentId, body: &TakeNumber) -> ApiResult<Agent> {
        self.post(&routes::AGENTS_NUMBER_TAKE.path_with(&[&id]), body)
            .await
    }

    pub async fn release_number(&self, id: AgentId) -> ApiResult<Agent> {
        self.delete(&routes::AGENTS_NUMBER_RELEASE.path_with(&[&id]))
            .await
    }

    // ---- calls and messages -------------------------------------------------

    pub async fn calls(&self, query: &CallQuery) -> ApiResult<CallPage> {
        let mut params: Vec<(&str, String)> = Vec::new();
        if let Some(id) = query.agent_id {
            params.push(("agent_id", id.to_string()));
        }
        if let Some(from) = query.from {
            params.push(("from", from.format("%Y-%m-%d").to_string()));
        }
        if let Some(to) = query.to {
            params.push(("to", to.format("%Y-%m-%d").to_string()));
        }
        if let Some(outcome) = query.outcome.as_deref().filter(|o| !o.is_empty()) {
            params.push(("outcome", outcome.to_string()));
        }
        if let Some(page) = query.page {
            params.push(("page", page.to_string()));
        }
        if let Some(per_page) = query.per_page {
            params.push(("per_page", per_page.to_string()));
        }
        self.get(&with_query(routes::CALLS_LIST.path, &params))
            .await
    }

    pub async fn call(&self, id: CallId) -> ApiResult<CallDetail> {
        self.get(&routes::CALLS_GET.path_with(&[&id])).await
    }

    pub async fn messages(
        &self,
        status: MessageFilter,
        page: i64,
        per_page: i64,
    ) -> ApiResult<MessagePage> {
        let mut params = page_params(page, per_page);
        params.insert(0, ("status", status.to_string()));
        self.get(&with_query(routes::MESSAGES_LIST.path, &params))
            .await
    }

    pub async fn mark_message_handled(&self, id: MessageId) -> ApiResult<CallerMessage> {
        self.post_action(&routes::MESSAGES_HANDLE.path_with(&[&id]))
            .await
    }

    // ---- admin: agents and numbers -----------------------------------------

    pub async fn admin_agents(
        &self,
        q: &str,
        page: i64,
        per_page: i64,
    ) -> ApiResult<AdminAgentPage> {
        let mut params = page_params(page, per_page);
        if !q.is_empty() {
            params.push(("q", q.to_string()));
        }
        self.get(&with_query(routes::ADMIN_AGENTS_LIST.path, &params))
            .await
    }

    pub async fn admin_pause_agent(&self, id: AgentId) -> ApiResult<AdminAgent> {
        self.post_action(&routes::ADMIN_AGENTS_PAUSE.path_with(&[&id]))
            .await
    }

    pub async fn admin_resume_agent(&self, id: AgentId) -> ApiResult<AdminAgent> {
        self.post_action(&routes::ADMIN_AGENTS_RESUME.path_with(&[&id]))
            .await
    }

    pub async fn admin_numbers(&self) -> ApiResult<NumberPool> {
        self.get(routes::ADMIN_NUMBERS_LIST.path).await
    }

    pub async fn admin_provision_numbers(&self, body: &ProvisionNumbers) -> ApiResult<NumberPool> {
        self.post(routes::ADMIN_NUMBERS_PROVISION.path, body).await
    }
}

/// `page` and `per_page` as query parameters.
fn page_params(page: i64, per_page: i64) -> Vec<(&'static str, String)> {
    vec![
        ("page", page.to_string()),
        ("per_page", per_page.to_string()),
    ]
}

/// `path?k=v&…` with every value URI-encoded.
fn with_query(path: &str, params: &[(&str, String)]) -> String {
    let mut url = path.to_string();
    for (i, (key, value)) in params.iter().enumerate() {
        url.push(if i == 0 { '?' } else { '&' });
        url.push_str(key);
        url.push('=');
        url.push_str(&String::from(js_sys::encode_uri_component(value)));
    }
    url
}

async fn decode<T: DeserializeOwned>(response: Response) -> ApiResult<T> {
    if !response.ok() {
        return Err(error_of(response).await);
    }
    let status = response.status();
    let text = response.text().await.map_err(|_| ApiError::network())?;
    serde_json::from_str(&text).map_err(|_| ApiError::unexpected(status))
}

/// Turns a non-2xx response into an [`ApiError`], reading the API's
/// `{"error": {...}}` body when there is one.
async fn error_of(response: Response) -> ApiError {
    let status = response.status();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.trim().parse::<u32>().ok());
    let text = response.text().await.unwrap_or_default();
    match serde_json::from_str::<ErrorBody>(&text) {
        Ok(body) => ApiError {
            status,
            code: ErrorKind::Api(body.error.code),
            message: body.error.message,
            fields: body.error.fields,
            retry_after,
        },
        Err(_) => {
            let mut err = ApiError::unexpected(status);
            err.retry_after = retry_after;
            if status == 429 {
                err.code = ErrorKind::Api(ErrorCode::TooManyAttempts);
                err.message = "Too many attempts. Please wait a little and try again.".into();
            }
            err
        }
    }
}
