//! Values bound to and read from statements.

use super::{Error, Result};

/// A SQLite value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `NULL`
    Null,
    /// A 64-bit integer.
    Integer(i64),
    /// A double.
    Real(f64),
    /// UTF-8 text.
    Text(String),
    /// Bytes.
    Blob(Vec<u8>),
}

impl Value {
    fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Integer(_) => "integer",
            Value::Real(_) => "real",
            Value::Text(_) => "text",
            Value::Blob(_) => "blob",
        }
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Integer(v)
    }
}

impl From<i32> for Value {
    fn from(v: i32) -> Self {
        Value::Integer(i64::from(v))
    }
}

impl From<u32> for Value {
    fn from(v: u32) -> Self {
        Value::Integer(i64::from(v))
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Integer(i64::from(v))
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Real(v)
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// The rows a statement returned.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rows {
    /// Column names, in order.
    pub columns: Vec<String>,
    /// Each row's values, in column order.
    pub rows: Vec<Vec<Value>>,
}

impl Rows {
    /// Iterates over the rows as typed accessors.
    pub fn iter(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().map(|values| Row { values })
    }

    /// The first row, if any.
    pub fn first(&self) -> Option<Row<'_>> {
        self.rows.first().map(|values| Row { values })
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether no row came back.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// Typed access to one row, by column index.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    values: &'a [Value],
}

impl<'a> Row<'a> {
    fn value(&self, column: usize) -> &'a Value {
        self.values.get(column).unwrap_or(&Value::Null)
    }

    fn mismatch(&self, column: usize, expected: &'static str) -> Error {
        Error::Type {
            column,
            expected,
            found: self.value(column).type_name(),
        }
    }

    /// An integer column (a real with no fraction is accepted: some hosts return those).
    pub fn i64(&self, column: usize) -> Result<i64> {
        self.opt_i64(column)?
            .ok_or_else(|| self.mismatch(column, "integer"))
    }

    /// A nullable integer column.
    pub fn opt_i64(&self, column: usize) -> Result<Option<i64>> {
        match self.value(column) {
            Value::Null => Ok(None),
            Value::Integer(v) => Ok(Some(*v)),
            Value::Real(v) if v.fract() == 0.0 => Ok(Some(*v as i64)),
            _ => Err(self.mismatch(column, "integer")),
        }
    }

    /// A boolean stored as an integer.
    pub fn bool(&self, column: usize) -> Result<bool> {
        Ok(self.i64(column)? != 0)
    }

    /// A text column.
    pub fn str(&self, column: usize) -> Result<&'a str> {
        self.opt_str(column)?
            .ok_or_else(|| self.mismatch(column, "text"))
    }

    /// A nullable text column.
    pub fn opt_str(&self, column: usize) -> Result<Option<&'a str>> {
        match self.value(column) {
            Value::Null => Ok(None),
            Value::Text(v) => Ok(Some(v.as_str())),
            _ => Err(self.mismatch(column, "text")),
        }
    }

    /// A text column, owned.
    pub fn string(&self, column: usize) -> Result<String> {
        self.str(column).map(str::to_owned)
    }

    /// A nullable text column, owned.
    pub fn opt_string(&self, column: usize) -> Result<Option<String>> {
        self.opt_str(column).map(|v| v.map(str::to_owned))
    }

    /// A real column (integers are widened).
    pub fn f64(&self, column: usize) -> Result<f64> {
        match self.value(column) {
            Value::Real(v) => Ok(*v),
            Value::Integer(v) => Ok(*v as f64),
            _ => Err(self.mismatch(column, "real")),
        }
    }
}
