//! Integration tests, one module per capability.

mod common;
mod import;
mod migrations;
