//! Secrets of the pcsd client (the `hacluster` password, pcsd tokens) and where the password
//! comes from. A `Secret` shows as `(secret)` in `Debug` and `Display`, so no log line, error or
//! `{:?}` of a struct holding one can leak it; `expose` is the one way to the text, used only to
//! build a request. The password is read from `PCSD_PASSWORD` or a file, never from the command
//! line (other users see argv) nor from the cluster file (it is kept in git).

use std::path::{Path, PathBuf};

/// A secret string. Never printed; compared in constant time is not needed (it is never
/// compared with attacker input here).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

    /// The text, for a request body or a cookie, and for nothing else.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("(secret)")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("(secret)")
    }
}

/// The environment variable holding the `hacluster` password.
pub const PASSWORD_ENV: &str = "PCSD_PASSWORD";
/// The environment variable naming a file whose first line is the password.
pub const PASSWORD_FILE_ENV: &str = "PCSD_PASSWORD_FILE";

/// Where the password comes from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum PasswordSource {
    /// None: only stored tokens can be used.
    #[default]
    None,
    /// Given directly (from `PCSD_PASSWORD`).
    Given(Secret),
    /// The first line of a file (`--pcsd-password-file`, `PCSD_PASSWORD_FILE`).
    File(PathBuf),
}

impl PasswordSource {
    /// From the environment: `PCSD_PASSWORD`, else `PCSD_PASSWORD_FILE`, else a file given on
    /// the command line (`file`, which wins over the environment's file).
    pub fn from_env(file: Option<&Path>) -> PasswordSource {
        if let Some(f) = file {
            return PasswordSource::File(f.to_path_buf());
        }
        match std::env::var(PASSWORD_ENV) {
            Ok(p) if !p.is_empty() => PasswordSource::Given(Secret::new(p)),
            _ => match std::env::var_os(PASSWORD_FILE_ENV) {
                Some(f) if !f.is_empty() => PasswordSource::File(PathBuf::from(f)),
                _ => PasswordSource::None,
            },
        }
    }

    /// The password, if there is one.
    ///
    /// # Errors
    /// The file cannot be read, or is empty; the message names the file, never its content.
    pub fn get(&self) -> Result<Option<Secret>, String> {
        match self {
            PasswordSource::None => Ok(None),
            PasswordSource::Given(s) => Ok(Some(s.clone())),
            PasswordSource::File(p) => {
                let text = crate::input::read_text_capped(p, 4096)
                    .map_err(|e| format!("cannot read the password file `{}` ({e})", p.display()))?;
                let line = text.lines().next().unwrap_or("").trim_end_matches('\r');
                if line.is_empty() {
                    return Err(format!("the password file `{}` is empty", p.display()));
                }
                Ok(Some(Secret::new(line)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_shows_in_debug_or_display() {
        let s = Secret::new("hunter2");
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Holder {
            password: Secret,
        }
        let shown = format!("{s} {s:?} {:?} {:#?}", Holder { password: s.clone() }, PasswordSource::Given(s.clone()));
        assert!(!shown.contains("hunter2"), "{shown}");
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn the_password_file_gives_its_first_line_and_errors_never_quote_it() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("pw");
        std::fs::write(&f, "s3cret\nsecond line\n").unwrap();
        assert_eq!(PasswordSource::File(f.clone()).get().unwrap().unwrap().expose(), "s3cret");
        std::fs::write(&f, "\n").unwrap();
        let e = PasswordSource::File(f).get().unwrap_err();
        assert!(e.contains("is empty"), "{e}");
        let missing = PasswordSource::File(dir.path().join("none")).get().unwrap_err();
        assert!(missing.contains("cannot read the password file"), "{missing}");
    }
}
