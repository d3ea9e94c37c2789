//! Integration tests, one module per capability.

mod guide;
mod migrations;
mod retention;
mod search;
