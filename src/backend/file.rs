//! The file backend: a CIB file on this machine.
//!
//! Writes are atomic (a temporary file in the same directory, fsync, rename) and serialised with
//! an advisory lock on a sidecar file, and they re-check the configuration under that lock.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::{BackendError, Expect, Live};
use crate::cib::{Cib, Version};

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
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.cibform-lock"))
}

/// Replace the CIB file with `new` if its configuration is still the expected one.
///
/// # Guarantees
/// The file holds either the old or the new CIB, never a mix; a stale expectation writes nothing.
///
/// # Errors
/// Stale configuration; I/O errors (the original file is then untouched).
pub fn write(path: &Path, expect: &Expect, new_config: &crate::cib::xml::Element) -> Result<Version, BackendError> {
    let name = path.display().to_string();
    let werr = |source| BackendError::Write { path: name.clone(), source };
    let lock = fs::OpenOptions::new().create(true).truncate(false).write(true).open(lock_path(path)).map_err(werr)?;
    lock.lock().map_err(werr)?;
    let current = read(path)?;
    if current.cib.config_digest() != expect.config_digest {
        let now = current.cib.version().unwrap_or(expect.version);
        return Err(BackendError::Stale { planned: expect.version, now, current: Box::new(current.cib) });
    }
    // Bump from the version on disk (a status-only change may have moved num_updates).
    let new = current.cib.with_configuration(new_config.clone());
    let version = new.version().unwrap_or(expect.version);
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.cibform-tmp-{}",
        path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        std::process::id()
    ));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        if let Ok(meta) = fs::metadata(path) {
            let _ = f.set_permissions(meta.permissions());
        }
        f.write_all(new.root.to_xml().as_bytes())?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(werr(e));
    }
    drop(lock);
    Ok(version)
}
