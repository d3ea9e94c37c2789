//! Integration tests, one module per capability.

mod jobs;
mod migrations;
