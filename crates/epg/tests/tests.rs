//! Integration tests, one module per capability.

mod api;
mod export;
mod guide;
mod jobs;
mod migrations;
mod retention;
mod search;
