//! [`Resilient`]: a [`Store`] that survives the failures of a remote connection.

use std::cell::Cell;

use super::{BEGIN, COMMIT, Error, ROLLBACK, Result, Rows, Store, Value};

/// How often a single statement is run when the connection fails it.
const STATEMENT_ATTEMPTS: u32 = 3;

/// Where the connection is in a [`write_transaction`](super::write_transaction).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// No transaction: every statement commits on its own.
    Idle,
    /// Between `BEGIN IMMEDIATE` and its end.
    Open,
    /// A failure ended the transaction; only `ROLLBACK` is accepted until it comes.
    Lost,
}

/// Wraps a store whose connection can fail a statement without the statement being
/// wrong: libSQL interrupts a statement ([`Error::Interrupted`]), drops a connection left
/// idle for 10 s ([`Error::Expired`]) and rolls back a transaction held too long
/// ([`Error::RolledBack`]).
///
/// Outside a transaction, a statement that fails so is run again at once, a few times,
/// after [`Store::reconnect`] when the connection expired. Inside one, a retried
/// statement could run in a transaction that is no longer there (committing on its own
/// what should commit together), so the transaction is marked lost instead: every later
/// statement of it fails with [`Error::RolledBack`] until the caller's `ROLLBACK`, and
/// [`write_transaction`](super::write_transaction) runs the whole transaction again.
///
/// The wrapper follows transactions by the statements `write_transaction` sends
/// (`BEGIN IMMEDIATE`, `COMMIT`, `ROLLBACK`); other code must not open transactions.
pub struct Resilient<S> {
    inner: S,
    state: Cell<State>,
}

impl<S: Store> Resilient<S> {
    /// Wraps `inner`, which must not be inside a transaction.
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            state: Cell::new(State::Idle),
        }
    }

    /// The wrapped store.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    /// Runs a statement outside a transaction, again while the connection fails it.
    fn run_alone(&self, sql: &str, params: &[Value]) -> Result<Rows> {
        let mut attempt = 1;
        loop {
            match self.inner.execute(sql, params) {
                Err(e) if e.is_transient() && attempt < STATEMENT_ATTEMPTS => {
                    if matches!(e, Error::Expired) {
                        self.inner.reconnect()?;
                    }
                    attempt += 1;
                }
                result => return result,
            }
        }
    }

    /// Runs a statement of the open transaction; a connection failure loses it.
    fn run_in_transaction(&self, sql: &str, params: &[Value]) -> Result<Rows> {
        let result = self.inner.execute(sql, params);
        match &result {
            Err(e) if e.is_transient() => {
                self.state.set(State::Lost);
                if matches!(e, Error::Expired) {
                    // The retry needs a connection; the old one took the transaction
                    // with it.
                    self.inner.reconnect()?;
                }
            }
            Ok(_) if sql == COMMIT => self.state.set(State::Idle),
            _ => {}
        }
        result
    }
}

impl<S: Store> Store for Resilient<S> {
    fn execute(&self, sql: &str, params: &[Value]) -> Result<Rows> {
        match self.state.get() {
            State::Idle => {
                let rows = self.run_alone(sql, params)?;
                if sql == BEGIN {
                    self.state.set(State::Open);
                }
                Ok(rows)
            }
            State::Open if sql == ROLLBACK => {
                self.state.set(State::Idle);
                self.inner.execute(sql, params)
            }
            State::Open => self.run_in_transaction(sql, params),
            State::Lost if sql == ROLLBACK => {
                self.state.set(State::Idle);
                // Whether the server still has the transaction depends on what ended
                // it (an interrupted read leaves it open), so it is rolled back anyway,
                // and "no transaction is active" is the expected answer.
                let _ = self.inner.execute(sql, params);
                Ok(Rows::default())
            }
            State::Lost => Err(Error::RolledBack),
        }
    }

    fn reconnect(&self) -> Result<()> {
        if self.state.get() == State::Open {
            self.state.set(State::Lost);
        }
        self.inner.reconnect()
    }

    fn transaction_lost(&self) -> bool {
        self.state.get() == State::Lost
    }
}
