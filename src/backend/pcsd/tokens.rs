//! pcsd tokens, kept the way pcs keeps them: a `known-hosts` file (pcs's format version 1,
//! `{"format_version": 1, "data_version": N, "known_hosts": {NAME: {"token": ..., "dest_list":
//! [{"addr": ..., "port": ...}]}}}`). cibform reads pcs's own file when there is one (root:
//! `/var/lib/pcsd/known-hosts`, others: `~/.pcs/known-hosts`), so a host `pcs host auth` already
//! knows needs no password; it never writes pcs's file (pcsd owns and syncs it), only its own
//! store in the same format, mode 0600 through `fsutil::write`. Tokens never leave this module
//! except as `Secret`s.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::secret::Secret;
use super::{Endpoint, PcsdError};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Dest {
    pub addr: String,
    pub port: u16,
}

#[derive(Serialize, Deserialize)]
struct RawHost {
    token: String,
    dest_list: Vec<Dest>,
}

#[derive(Serialize, Deserialize)]
struct RawFile {
    format_version: u64,
    data_version: u64,
    known_hosts: BTreeMap<String, RawHost>,
}

/// One known host: its token and where it answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownHost {
    pub token: Secret,
    pub dest_list: Vec<Dest>,
}

/// A known-hosts file's content.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KnownHosts {
    pub data_version: u64,
    pub hosts: BTreeMap<String, KnownHost>,
}

impl KnownHosts {
    /// Parse pcs's format. Errors never quote the text (it holds tokens).
    ///
    /// # Errors
    /// Not JSON of format version 1.
    pub fn parse(text: &str) -> Result<KnownHosts, String> {
        if text.trim().is_empty() {
            return Ok(KnownHosts::default());
        }
        let raw: RawFile = serde_json::from_str(text)
            .map_err(|e| format!("not a pcs known-hosts file (line {}, column {})", e.line(), e.column()))?;
        if raw.format_version != 1 {
            return Err(format!("known-hosts format version {} is not supported (only 1)", raw.format_version));
        }
        let hosts = raw
            .known_hosts
            .into_iter()
            .map(|(n, h)| (n, KnownHost { token: Secret::new(h.token), dest_list: h.dest_list }))
            .collect();
        Ok(KnownHosts { data_version: raw.data_version, hosts })
    }

    pub fn to_text(&self) -> String {
        let known_hosts = self
            .hosts
            .iter()
            .map(|(n, h)| (n.clone(), RawHost { token: h.token.expose().to_string(), dest_list: h.dest_list.clone() }))
            .collect();
        let raw = RawFile { format_version: 1, data_version: self.data_version, known_hosts };
        serde_json::to_string_pretty(&raw).unwrap_or_default() + "\n"
    }

    /// The host known as `name` (when it answers at `ep`), else the one answering at `ep` by a
    /// destination.
    pub fn find(&self, name: &str, ep: &Endpoint) -> Option<(&str, &KnownHost)> {
        let by_name = self.hosts.get_key_value(name).filter(|(_, h)| answers_at(h, ep));
        by_name
            .or_else(|| {
                self.hosts.iter().find(|(_, h)| h.dest_list.iter().any(|d| d.addr == ep.host && d.port == ep.port))
            })
            .map(|(n, h)| (n.as_str(), h))
    }
}

/// A host without destinations answers at its name and pcsd's port.
fn answers_at(h: &KnownHost, ep: &Endpoint) -> bool {
    h.dest_list.is_empty() && ep.port == super::DEFAULT_PORT || h.dest_list.iter().any(|d| d.port == ep.port)
}

/// Where a token came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// cibform's own store.
    Own,
    /// pcs's known-hosts file.
    Pcs,
}

/// cibform's token store, and pcs's file to read from.
#[derive(Debug, Clone)]
pub struct TokenStore {
    pub own: PathBuf,
    pub pcs: Option<PathBuf>,
}

impl TokenStore {
    /// The token for the host known as `name` answering at `ep`: cibform's store first, then
    /// pcs's file (an unreadable pcs file is skipped: it is not ours to judge).
    ///
    /// # Errors
    /// cibform's own store cannot be read or parsed.
    pub fn find(&self, name: &str, ep: &Endpoint) -> Result<Option<(Secret, Origin)>, PcsdError> {
        if let Some((_, h)) = read(&self.own)?.find(name, ep) {
            return Ok(Some((h.token.clone(), Origin::Own)));
        }
        let pcs = self.pcs.as_deref().and_then(|p| read(p).ok()).unwrap_or_default();
        Ok(pcs.find(name, ep).map(|(_, h)| (h.token.clone(), Origin::Pcs)))
    }

    /// Where the host known as `name` answers (its first destination), from cibform's store,
    /// else pcs's file: how pcs reaches a node by name. `None` when neither knows the name (or
    /// lists no destination for it).
    pub fn known_endpoint(&self, name: &str) -> Option<Endpoint> {
        let from = |p: &Path| read(p).ok().and_then(|k| k.hosts.get(name).and_then(|h| h.dest_list.first().cloned()));
        let dest = from(&self.own).or_else(|| self.pcs.as_deref().and_then(from))?;
        Some(Endpoint { host: dest.addr, port: dest.port })
    }

    /// Keep `token` for `ep` (known as `name`) in cibform's store, under `name`: the key the
    /// next run looks it up by (`find`, `known_endpoint`).
    ///
    /// # Errors
    /// The store cannot be read or written.
    pub fn save(&self, name: &str, ep: &Endpoint, token: &Secret) -> Result<(), PcsdError> {
        let _lock = lock(&self.own)?;
        let mut known = read(&self.own)?;
        known.data_version += 1;
        let dest = Dest { addr: ep.host.clone(), port: ep.port };
        known.hosts.insert(name.to_string(), KnownHost { token: token.clone(), dest_list: vec![dest] });
        write_private(&self.own, &known.to_text())
    }

    /// Forget the token `find(name, ep)` gives from cibform's store (after pcsd refused it).
    ///
    /// # Errors
    /// The store cannot be read or written.
    pub fn forget(&self, name: &str, ep: &Endpoint) -> Result<(), PcsdError> {
        let _lock = lock(&self.own)?;
        let mut known = read(&self.own)?;
        let Some(name) = known.find(name, ep).map(|(n, _)| n.to_string()) else { return Ok(()) };
        known.hosts.remove(&name);
        known.data_version += 1;
        write_private(&self.own, &known.to_text())
    }
}

fn read(path: &Path) -> Result<KnownHosts, PcsdError> {
    match crate::input::read_text_capped(path, 16 << 20) {
        Ok(t) => KnownHosts::parse(&t).map_err(|e| PcsdError::store(path, e)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(KnownHosts::default()),
        Err(e) => Err(PcsdError::store(path, e.to_string())),
    }
}

/// pcs's known-hosts file for this user.
pub fn pcs_file() -> Option<PathBuf> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } == 0 {
        return Some(PathBuf::from("/var/lib/pcsd/known-hosts"));
    }
    std::env::var_os("HOME").filter(|h| !h.is_empty()).map(|h| PathBuf::from(h).join(".pcs/known-hosts"))
}

/// An exclusive lock on `path`'s lock file (`.NAME.lock` beside it), released when dropped:
/// two cibform runs never lose each other's tokens or pins.
///
/// # Errors
/// The lock file cannot be created or locked.
pub fn lock(path: &Path) -> Result<std::fs::File, PcsdError> {
    make_dir(path)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let lock_path = path.with_file_name(format!(".{name}.lock"));
    let file = crate::fsutil::open_lock(&lock_path).map_err(|e| PcsdError::store(&lock_path, e.to_string()))?;
    use std::os::fd::AsRawFd as _;
    // SAFETY: flock on a descriptor this function owns.
    if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } != 0 {
        return Err(PcsdError::store(&lock_path, std::io::Error::last_os_error().to_string()));
    }
    Ok(file)
}

/// Create the store's directory (owner only) when missing.
fn make_dir(path: &Path) -> Result<(), PcsdError> {
    use std::os::unix::fs::DirBuilderExt as _;
    match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) if !dir.is_dir() => std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| PcsdError::store(dir, e.to_string())),
        _ => Ok(()),
    }
}

/// Write a file of secrets (owner only), atomically.
///
/// # Errors
/// The file cannot be written.
pub fn write_private(path: &Path, text: &str) -> Result<(), PcsdError> {
    make_dir(path)?;
    crate::fsutil::write(path, text.as_bytes(), crate::fsutil::Access::Private)
        .map(drop)
        .map_err(|e| PcsdError::store(path, e.to_string()))
}

/// The token file's default place in cibform's directory.
pub fn default_path(dir: &Path) -> PathBuf {
    dir.join("pcsd-known-hosts")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As pcsd writes it (`CfgKnownHosts#text`).
    const PCS_FILE: &str = r#"{
  "format_version": 1,
  "data_version": 3,
  "known_hosts": {
    "t3021cent": {
      "dest_list": [
        {
          "addr": "192.168.33.21",
          "port": 2224
        }
      ],
      "token": "0b7d5e4e-1111-2222-3333-444455556666"
    }
  }
}"#;

    #[test]
    fn pcs_tokens_are_found_by_name_or_address_and_never_shown() {
        let k = KnownHosts::parse(PCS_FILE).unwrap();
        let by_name = k.find("t3021cent", &Endpoint { host: "t3021cent".into(), port: 2224 }).unwrap();
        assert_eq!(by_name.1.token.expose(), "0b7d5e4e-1111-2222-3333-444455556666");
        assert!(k.find("192.168.33.21", &Endpoint { host: "192.168.33.21".into(), port: 2224 }).is_some());
        assert!(k.find("192.168.33.21", &Endpoint { host: "192.168.33.21".into(), port: 2225 }).is_none());
        assert!(!format!("{k:?}").contains("0b7d5e4e"));
        let bad = KnownHosts::parse(&PCS_FILE.replace("\"port\": 2224", "\"port\": \"x\"")).unwrap_err();
        assert!(!bad.contains("0b7d5e4e"), "{bad}");
    }

    #[test]
    fn the_own_store_is_private_round_trips_and_wins_over_pcs() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let pcs = dir.path().join("pcs-known-hosts");
        std::fs::write(&pcs, PCS_FILE).unwrap();
        let store = TokenStore { own: dir.path().join("sub/pcsd-known-hosts"), pcs: Some(pcs) };
        let ep = Endpoint { host: "t3021cent".into(), port: 2224 };
        assert_eq!(store.find("t3021cent", &ep).unwrap().unwrap().1, Origin::Pcs);
        store.save("t3021cent", &ep, &Secret::new("mine")).unwrap();
        let (tok, origin) = store.find("t3021cent", &ep).unwrap().unwrap();
        assert_eq!((tok.expose(), origin), ("mine", Origin::Own));
        assert_eq!(std::fs::metadata(&store.own).unwrap().permissions().mode() & 0o777, 0o600);
        let again = KnownHosts::parse(&std::fs::read_to_string(&store.own).unwrap()).unwrap();
        assert_eq!(again.data_version, 1);
        store.forget("t3021cent", &ep).unwrap();
        assert_eq!(store.find("t3021cent", &ep).unwrap().unwrap().1, Origin::Pcs);
    }
}
