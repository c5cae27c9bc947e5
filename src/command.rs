//! Commands as data: the argv, environment, stdin and time limit of one program run.
//!
//! A leaf shared by the stages that decide what to run (`preview`, `ops`) and the backend that
//! runs it (`backend::runner`). Nothing here starts a process.

use std::time::Duration;

/// A command as data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cmd {
    pub argv: Vec<String>,
    /// Extra environment (`CIB_server=...`); values of names in `SECRET_ENV` are never shown.
    pub env: Vec<(String, String)>,
    pub stdin: Option<Vec<u8>>,
    pub timeout: Duration,
}

/// Environment names whose values are secrets.
pub const SECRET_ENV: &[&str] = &["CIB_passwd"];

impl Cmd {
    pub fn new(argv: &[&str]) -> Self {
        Cmd {
            argv: argv.iter().map(|s| s.to_string()).collect(),
            env: Vec::new(),
            stdin: None,
            timeout: Duration::from_secs(60),
        }
    }

    #[must_use]
    pub fn stdin(mut self, data: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(data.into());
        self
    }

    #[must_use]
    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = t;
        self
    }

    /// The program name (`cibadmin`, ...).
    pub fn program(&self) -> &str {
        self.argv.first().map_or("", String::as_str)
    }

    /// The command line as shown to people: secrets masked.
    pub fn display(&self) -> String {
        let env = self.env.iter().map(|(k, v)| {
            if SECRET_ENV.contains(&k.as_str()) {
                format!("{k}=***")
            } else {
                format!("{k}={}", shell_quote(v))
            }
        });
        env.chain(self.argv.iter().map(|a| shell_quote(a))).collect::<Vec<_>>().join(" ")
    }
}

/// POSIX shell quoting for one word.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:@,+%".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}
