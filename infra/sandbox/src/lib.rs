//! Kametrix's local Stripe sandbox: the parts of Stripe's API the product
//! uses (Checkout Sessions, refunds, events) on Stripe's wire formats, a
//! hosted checkout page, signed webhook deliveries and test controls. The
//! product talks to it through `async-stripe` with `STRIPE_API_BASE`
//! pointing here. See infra/README.md ("Stripe sandbox").

#![recursion_limit = "256"]

mod app;
pub mod form;
mod html;
pub mod objects;
pub mod signature;

pub use app::{
    serve, Config, DEFAULT_API_KEY, DEFAULT_PORT, DEFAULT_WEBHOOK_SECRET, WEBHOOK_USER_AGENT,
};
