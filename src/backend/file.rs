//! The file backend: a CIB file on this machine.
//!
//! Writes go through `fsutil::write` (atomic, symlink-safe, mode and owner kept), are serialised
//! with an advisory lock on a sidecar file, and re-check the configuration under that lock.

use std::path::{Path, PathBuf};

use super::{BackendError, Live};
use crate::cib::{Basis, Cib, Version};
use crate::fsutil;

/// Read and parse a CIB file.
///
/// # Errors
/// Unreadable file, or not a CIB.
pub fn read(path: &Path) -> Result<Live, BackendError> {
    let name = path.display().to_string();
    let text = crate::input::read_text_capped(path, crate::input::MAX_CIB_BYTES)
        .map_err(|source| BackendError::Read { path: name.clone(), source })?;
    let cib = Cib::parse(&name, &text).map_err(|diag| BackendError::BadCib { name: name.clone(), diag })?;
    Ok(Live { name, cib, corosync: None })
}

fn lock_path(path: &Path) -> PathBuf {
    path.with_file_name(format!(".{}.cibform-lock", fsutil::temp_stem(path)))
}

/// Replace the CIB file with `new` if its configuration is still the expected one. A symlinked
/// path is resolved: the real file is replaced (and locked), the link kept.
///
/// # Guarantees
/// The file holds either the old or the new CIB, never a mix, with its mode and owner; a stale
/// expectation writes nothing. See `fsutil::write`.
///
/// # Errors
/// Stale configuration; I/O errors (the original file is then untouched).
pub fn write(path: &Path, expect: &Basis, new_config: &crate::cib::xml::Element) -> Result<Version, BackendError> {
    let name = path.display().to_string();
    let werr = |source| BackendError::Write { path: name.clone(), source };
    let real = fsutil::resolve(path).map_err(werr)?;
    let lock = fsutil::open_lock(&lock_path(&real)).map_err(werr)?;
    lock.lock().map_err(werr)?;
    // Every writer holds this lock, so a temporary file here is one a killed writer left.
    fsutil::remove_stale_temps(&real);
    let current = read(&real)?;
    if current.cib.config_digest() != expect.config_digest {
        let now = current.cib.version().unwrap_or(expect.version);
        return Err(BackendError::Stale { planned: expect.version, now, current: Box::new(current.cib) });
    }
    // Bump from the version on disk (a status-only change may have moved num_updates).
    let new = current.cib.with_configuration(new_config.clone());
    let version = new.version().unwrap_or(expect.version);
    // Pacemaker reads versions as C ints: a larger epoch reads as -1, older than any CIB.
    if version.epoch > u64::from(i32::MAX.unsigned_abs())
        || version.epoch <= current.cib.version().map_or(0, |v| v.epoch)
    {
        let why = format!(
            "the CIB's epoch is {}, and Pacemaker reads none past {} (a larger one reads as -1, older than any CIB); nothing was written",
            current.cib.version().map_or(0, |v| v.epoch),
            i32::MAX
        );
        return Err(werr(std::io::Error::other(why)));
    }
    let xml = new.root.to_xml();
    // Validation refuses such characters; this is the last line should a new input path miss
    // it: a file that is not XML is never written.
    if let Some(c) = crate::config::text::first_non_xml_char(&xml) {
        let why = format!("the new CIB holds U+{:04X}, which XML cannot carry; nothing was written", u32::from(c));
        return Err(werr(std::io::Error::other(why)));
    }
    fsutil::write(&real, xml.as_bytes(), fsutil::Access::Keep).map_err(werr)?;
    drop(lock);
    Ok(version)
}
