//! Integration tests, one module per capability.

mod feed;
mod migrations;
