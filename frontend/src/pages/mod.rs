//! One module per group of routes; one component per page.

pub mod admin;
pub mod admin_credits;
pub mod admin_packs;
pub mod auth;
pub mod credits;
pub mod home;
pub mod not_found;
pub mod settings;
