//! Saved-plan authentication (stage: writing and reading a saved plan): the HMAC-SHA256 that
//! `plan --out` writes into a saved plan when a key is set, and that `apply PLAN.json` checks
//! before a gate opened by the plan's recorded `policy:` may count.
//!
//! A plan file is untrusted input: whoever can edit it could write `allow_destroy: true` into
//! it. The MAC binds every field `apply` reads to a key the editor does not have. The key comes
//! from the environment only (never argv, where `ps` shows it); it is never printed, logged or
//! written, and nothing here does I/O beyond reading that one variable.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The environment variable holding the key (at least `MIN_KEY_BYTES` bytes).
pub const KEY_ENV: &str = "CIBFORM_PLAN_KEY";

/// A shorter key is refused: it could be guessed offline from one saved plan.
pub const MIN_KEY_BYTES: usize = 16;

/// The algorithm's name, written before the MAC so that another one can follow.
const SCHEME: &str = "hmac-sha256";

/// What the MAC covers besides the plan's content: this purpose and version only.
const DOMAIN: &[u8] = b"cibform saved plan, format 1\0";

/// A key for saved plans. Its bytes never leave this module.
pub struct PlanKey(Vec<u8>);

impl std::fmt::Debug for PlanKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PlanKey(<redacted>)")
    }
}

/// Why the key in the environment cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{KEY_ENV} is shorter than {MIN_KEY_BYTES} bytes")]
pub struct ShortKey;

impl PlanKey {
    /// A key from its bytes.
    ///
    /// # Errors
    /// Fewer than `MIN_KEY_BYTES` bytes.
    pub fn new(bytes: &[u8]) -> Result<Self, ShortKey> {
        if bytes.len() < MIN_KEY_BYTES {
            return Err(ShortKey);
        }
        Ok(PlanKey(bytes.to_vec()))
    }

    /// The key in `CIBFORM_PLAN_KEY`; `None` when it is unset or empty (a CI secret that is
    /// missing expands to the empty string: that is no key, not a weak one).
    ///
    /// # Errors
    /// A non-empty key shorter than `MIN_KEY_BYTES`.
    pub fn from_env() -> Result<Option<Self>, ShortKey> {
        use std::os::unix::ffi::OsStrExt;
        match std::env::var_os(KEY_ENV) {
            Some(v) if !v.is_empty() => Self::new(v.as_bytes()).map(Some),
            _ => Ok(None),
        }
    }

    fn mac(&self) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes keys of any length");
        mac.update(DOMAIN);
        mac
    }

    /// The MAC of `content`, as written in a saved plan: `hmac-sha256:` and 64 hex digits.
    pub fn sign(&self, content: &[u8]) -> String {
        let mut mac = self.mac();
        mac.update(content);
        let tag = mac.finalize().into_bytes();
        let hex: String = tag.iter().map(|b| format!("{b:02x}")).collect();
        format!("{SCHEME}:{hex}")
    }

    /// Whether `written` is the MAC of `content` under this key (compared in constant time).
    pub fn verifies(&self, content: &[u8], written: &str) -> bool {
        let Some(tag) = written.strip_prefix(SCHEME).and_then(|t| t.strip_prefix(':')).and_then(unhex) else {
            return false;
        };
        let mut mac = self.mac();
        mac.update(content);
        mac.verify_slice(&tag).is_ok()
    }
}

/// Lowercase or uppercase hex digits to bytes; `None` for anything else.
fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mac_verifies_only_its_content_under_its_key() {
        let key = PlanKey::new(b"0123456789abcdef0123").unwrap();
        let other = PlanKey::new(b"0123456789abcdef0124").unwrap();
        let mac = key.sign(b"plan");
        assert!(mac.starts_with("hmac-sha256:") && mac.len() == 12 + 64, "{mac}");
        assert!(key.verifies(b"plan", &mac));
        assert!(key.verifies(b"plan", &mac.to_uppercase().replace("HMAC-SHA256", "hmac-sha256")));
        assert!(!key.verifies(b"plan!", &mac));
        assert!(!other.verifies(b"plan", &mac));
        for bad in ["", "hmac-sha256:", "hmac-sha256:zz", &mac[..mac.len() - 1], &mac.replace("hmac-sha256", "md5")] {
            assert!(!key.verifies(b"plan", bad), "{bad}");
        }
    }

    #[test]
    fn short_keys_are_refused_and_keys_are_never_shown() {
        assert_eq!(PlanKey::new(b"0123456789abcde").unwrap_err(), ShortKey);
        let key = PlanKey::new(b"a secret key, long enough").unwrap();
        assert!(!format!("{key:?}").contains("secret"));
    }
}
