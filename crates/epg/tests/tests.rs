//! Integration tests, one module per capability.

mod common;

mod api;
mod apply;
mod deploy;
mod export;
mod faults;
mod feed;
mod guide;
mod import;
mod jobs;
mod migrations;
mod readme;
mod resume;
mod retention;
mod roundtrip;
mod search;
mod web;
