//! Integration tests, one module per capability.

mod migrations;
mod guide;
mod retention;
mod search;
