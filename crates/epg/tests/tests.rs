//! Integration tests, one module per capability.

mod api;
mod export;
mod feed;
mod guide;
mod jobs;
mod migrations;
mod retention;
mod search;
