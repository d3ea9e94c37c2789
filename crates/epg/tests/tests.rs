//! Integration tests, one module per capability.

mod export;
mod migrations;
