//! One module per group of routes; one component per page.

pub mod admin;
pub mod admin_agents;
pub mod admin_packs;
pub mod agent;
pub mod agents;
pub mod auth;
pub mod calls;
pub mod credits;
pub mod home;
pub mod messages;
pub mod not_found;
pub mod settings;
