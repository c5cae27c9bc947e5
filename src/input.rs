//! Stage 0: reading the files cibform is given.
//!
//! One function reads every input file (cluster files, CIB files, corosync.conf, saved plans).
//! It refuses a regular file larger than its cap before reading a byte, and reads anything else
//! (a pipe, `/dev/zero`, a process substitution) through a bounded reader, so a huge or endless
//! input costs at most the cap in time and memory. It does not decode or parse.

use std::io::{self, Read as _};
use std::path::Path;

/// Largest CIB file read (a 10,000-resource CIB is about 10 MiB).
pub const MAX_CIB_BYTES: u64 = 128 * MIB;
/// Largest corosync.conf read (a real one is a few KiB).
pub const MAX_COROSYNC_BYTES: u64 = MIB;
/// Largest saved plan read (it carries the old and the new configuration).
pub const MAX_PLAN_BYTES: u64 = 3 * MAX_CIB_BYTES;

const MIB: u64 = 1024 * 1024;

/// Read the whole file at `path`, refusing more than `cap` bytes.
///
/// # Errors
/// The file cannot be opened or read, or holds more than `cap` bytes (`FileTooLarge`, with a
/// message that says the limit).
pub fn read_capped(path: &Path, cap: u64) -> io::Result<Vec<u8>> {
    let file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    if meta.is_file() && meta.len() > cap {
        return Err(too_large(cap));
    }
    let expected = if meta.is_file() { meta.len() } else { 0 };
    let mut buf = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
    file.take(cap.saturating_add(1)).read_to_end(&mut buf)?;
    if buf.len() as u64 > cap {
        return Err(too_large(cap));
    }
    Ok(buf)
}

/// [`read_capped`], as UTF-8 text.
///
/// # Errors
/// As [`read_capped`], and `InvalidData` when the bytes are not UTF-8.
pub fn read_text_capped(path: &Path, cap: u64) -> io::Result<String> {
    String::from_utf8(read_capped(path, cap)?).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

fn too_large(cap: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::FileTooLarge,
        format!("larger than {} MiB, the limit for this kind of file", cap / MIB),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_and_streams_are_cut_at_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"0123456789").unwrap();
        assert_eq!(read_capped(&path, 10).unwrap(), b"0123456789");
        assert_eq!(read_capped(&path, 9).unwrap_err().kind(), io::ErrorKind::FileTooLarge);
        // An endless special file is read only up to the cap.
        let err = read_capped(Path::new("/dev/zero"), MIB).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::FileTooLarge);
        assert!(err.to_string().contains("larger than 1 MiB"), "{err}");
        assert_eq!(read_text_capped(Path::new("/dev/null"), 1).unwrap(), "");
    }
}
