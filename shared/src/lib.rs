//! Kametrix's one library: every domain service the functions call.
//!
//! Organised by domain (`accounts`, …) with the cross-cutting plumbing
//! (`config`, `db`, `error`, `http`, `runtime`, `queue`, `outbox`, `email`)
//! beside it. Only [`api`] is built for the wasm dashboard.

pub mod api;

#[cfg(feature = "server")]
pub mod accounts;
#[cfg(feature = "server")]
pub mod agents;
#[cfg(feature = "server")]
pub mod app;
#[cfg(feature = "server")]
pub mod billing;
#[cfg(feature = "server")]
pub mod calls;
#[cfg(feature = "server")]
pub mod config;
#[cfg(feature = "server")]
pub mod credits;
#[cfg(feature = "server")]
pub mod db;
#[cfg(feature = "server")]
pub mod email;
#[cfg(feature = "server")]
pub mod error;
#[cfg(feature = "server")]
pub mod http;
#[cfg(feature = "server")]
pub mod inbox;
#[cfg(feature = "server")]
pub mod manifest;
#[cfg(feature = "server")]
pub mod numbers;
#[cfg(feature = "server")]
pub mod openapi;
#[cfg(feature = "server")]
pub mod outbox;
#[cfg(feature = "server")]
pub mod queue;
#[cfg(feature = "server")]
pub mod runtime;
#[cfg(feature = "server")]
pub mod telemetry;
#[cfg(feature = "server")]
pub mod testing;
#[cfg(feature = "server")]
pub mod tools;
#[cfg(feature = "server")]
pub mod vapi;
#[cfg(feature = "server")]
pub mod voice;

#[cfg(test)]
mod structure;
