//! Vapi's wire: how its server messages are authenticated ([`auth`]) and
//! read ([`message`]), and its REST API ([`client`]). What Kametrix does
//! with the messages is [`crate::voice`].

pub mod auth;
pub mod client;
pub mod message;
