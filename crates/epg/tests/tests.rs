//! Integration tests, one module per capability.

mod api;
mod migrations;
