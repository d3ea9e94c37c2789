//! Integration tests, one module per capability.

mod common;
mod feed;
mod import;
mod migrations;
