//! Integration tests, one module per capability.

mod migrations;
mod feed;
