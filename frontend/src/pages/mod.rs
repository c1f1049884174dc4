//! One module per group of routes; one component per page.

pub mod admin;
pub mod auth;
pub mod home;
pub mod not_found;
pub mod settings;
