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

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::{Resilient, Rows, Store, Value};
    use crate::store::{Error, Result, write_transaction};

    /// Records what reaches the connection; fails the statements numbered in `fail`.
    #[derive(Default)]
    struct Script {
        sent: RefCell<Vec<String>>,
        fail: RefCell<Vec<(usize, Error)>>,
        reconnects: RefCell<u32>,
    }

    impl Store for Script {
        fn execute(&self, sql: &str, _params: &[Value]) -> Result<Rows> {
            self.sent.borrow_mut().push(sql.to_owned());
            let n = self.sent.borrow().len();
            let mut fail = self.fail.borrow_mut();
            match fail.iter().position(|(at, _)| *at == n) {
                Some(i) => Err(fail.remove(i).1),
                None => Ok(Rows::default()),
            }
        }

        fn reconnect(&self) -> Result<()> {
            *self.reconnects.borrow_mut() += 1;
            Ok(())
        }
    }

    fn failing(fail: Vec<(usize, Error)>) -> Resilient<Script> {
        let script = Script::default();
        *script.fail.borrow_mut() = fail;
        Resilient::new(script)
    }

    fn messages(result: Result<Rows>) -> String {
        result.map_or_else(|e| e.to_string(), |_| "ok".into())
    }

    #[test]
    fn a_lost_transaction_sends_nothing_but_its_rollback() {
        let store = failing(vec![(2, Error::Interrupted)]);
        let answers: Vec<String> = ["BEGIN IMMEDIATE", "INSERT 1", "INSERT 2", "COMMIT"]
            .iter()
            .map(|sql| messages(store.execute(sql, &[])))
            .collect();
        assert_eq!(
            answers,
            [
                "ok",
                "the database interrupted the statement; try again",
                "the database rolled the transaction back; try again",
                "the database rolled the transaction back; try again",
            ]
        );
        assert!(store.transaction_lost());
        assert_eq!(messages(store.execute("ROLLBACK", &[])), "ok");
        assert!(!store.transaction_lost());
        assert_eq!(
            *store.inner().sent.borrow(),
            ["BEGIN IMMEDIATE", "INSERT 1", "ROLLBACK"]
        );
    }

    #[test]
    fn a_statement_alone_is_retried_and_an_expired_connection_reopened() {
        let store = failing(vec![(1, Error::Expired), (2, Error::Interrupted)]);
        assert_eq!(messages(store.execute("SELECT 1", &[])), "ok");
        assert_eq!(store.inner().sent.borrow().len(), 3);
        assert_eq!(*store.inner().reconnects.borrow(), 1);
        // Three failures in a row are given up on.
        let store = failing((1..=3).map(|n| (n, Error::Interrupted)).collect());
        assert_eq!(
            messages(store.execute("SELECT 1", &[])),
            "the database interrupted the statement; try again"
        );
        // A statement that is wrong is not retried.
        let store = failing(vec![(1, Error::Database("no such table: t".into()))]);
        assert_eq!(
            messages(store.execute("SELECT * FROM t", &[])),
            "database error: no such table: t"
        );
        assert_eq!(store.inner().sent.borrow().len(), 1);
    }

    #[test]
    fn write_transaction_runs_a_lost_transaction_again() {
        let store = failing(vec![(3, Error::RolledBack)]);
        let mut runs = 0;
        let result = write_transaction(&store, |s| {
            runs += 1;
            s.execute("INSERT 1", &[])?;
            s.execute("INSERT 2", &[])
        });
        assert_eq!(messages(result), "ok");
        assert_eq!(runs, 2);
        assert_eq!(
            *store.inner().sent.borrow(),
            [
                "BEGIN IMMEDIATE",
                "INSERT 1",
                "INSERT 2",
                "ROLLBACK",
                "BEGIN IMMEDIATE",
                "INSERT 1",
                "INSERT 2",
                "COMMIT"
            ]
        );
    }

    #[test]
    fn write_transaction_does_not_run_a_failed_statement_again() {
        let store = failing(vec![(2, Error::Database("constraint failed".into()))]);
        let mut runs = 0;
        let result = write_transaction(&store, |s| {
            runs += 1;
            s.execute("INSERT 1", &[])
        });
        assert_eq!(messages(result), "database error: constraint failed");
        assert_eq!(runs, 1);
    }
}
