//! Writing files: the one way cibform replaces a file on disk (a CIB file, a saved plan, an
//! exported cluster file).
//!
//! `write` creates a temporary file with a random name exclusively (`O_EXCL`: a symlink planted
//! at any name cannot redirect it) in the target's real directory, writes it, fsyncs it, gives it
//! the target's mode and owner, and renames it over the target. A symlinked target is resolved
//! and the real file is replaced, never the link. The temporary file is removed on every path
//! that returns (its drop guard); only a kill can leave one, named `.NAME.PID.XXXXXX.cibform-tmp`,
//! and the next `write` of that file removes it once its writer is gone.
//! This module decides nothing about content and prints nothing.

use std::fs;
use std::io::{self, Write as _};
use std::os::unix::fs::{MetadataExt as _, OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

/// Suffix of every temporary file `write` creates.
const TMP_SUFFIX: &str = ".cibform-tmp";

/// Who may read the written file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// The target's mode (or the umask's for a new file).
    Keep,
    /// Owner only (mode 0600 at most): the file holds secrets, or its source was private.
    Private,
}

/// The file a path names once symlinks are followed (the path itself when it is not a link or
/// does not exist yet).
///
/// # Errors
/// A symlink to nothing, or a path that names something other than a regular file.
pub fn resolve(path: &Path) -> io::Result<PathBuf> {
    if let Some(link) = descriptor_link(path) {
        return Err(io::Error::other(format!(
            "it names an open file descriptor (`{}`), not a file: replacing it would replace whatever file that descriptor has open; give a file's own path",
            link.display()
        )));
    }
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            let real = fs::canonicalize(path).map_err(|e| {
                io::Error::new(e.kind(), format!("it is a symlink to a file that cannot be reached ({e})"))
            })?;
            if !fs::metadata(&real)?.is_file() {
                return Err(io::Error::other(format!("it is a symlink to `{}`, not a regular file", real.display())));
            }
            Ok(real)
        }
        Ok(m) if !m.is_file() => Err(io::Error::other("it is not a regular file")),
        Ok(_) => Ok(path.to_path_buf()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(path.to_path_buf()),
        Err(e) => Err(e),
    }
}

/// The link in `/proc` (`/proc/PID/fd/N`) that `path` reaches, directly or through symlinks
/// (`/dev/stdout`, `/dev/fd/1`, `/proc/self/fd/1`). Such a link names whatever file a descriptor
/// has open — the log a shell redirected standard output to, a deleted file — not a place.
fn descriptor_link(path: &Path) -> Option<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        let dir = fs::canonicalize(dir_of(&p)).ok()?;
        let in_proc = dir.starts_with("/proc");
        if in_proc && fs::symlink_metadata(&p).is_ok_and(|m| m.file_type().is_symlink()) {
            return Some(dir.join(p.file_name()?));
        }
        let target = fs::read_link(&p).ok()?;
        p = if target.is_absolute() { target } else { dir.join(target) };
    }
    None
}

/// A line for stderr when `path` is a symlink (the real file is written, the link kept).
/// Likewise when the file has other hard links: the new file replaces this name only, and the
/// other names keep the old content.
pub fn link_note(path: &Path) -> Option<String> {
    let is_link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    let real = resolve(path).ok()?;
    let links = fs::metadata(&real).map_or(1, |m| m.nlink());
    let shown = real.display();
    match (is_link, links) {
        (true, _) => Some(format!("note: `{}` is a symlink; writing the file it points to, `{shown}`", path.display())),
        (false, 2..) => Some(format!(
            "note: `{shown}` has {} other hard link(s); the new file replaces this name only, the others keep the old content",
            links - 1
        )),
        _ => None,
    }
}

fn dir_of(path: &Path) -> &Path {
    path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."))
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// The target's name as its temporary and lock files carry it: cut (on a character boundary)
/// so that `.STEM.PID.XXXXXX.cibform-tmp` and `.STEM.cibform-lock` fit in a file name (255
/// bytes) whenever the target's own name does.
pub fn temp_stem(path: &Path) -> String {
    let mut stem = file_name(path);
    let room = 255 - (".".len() + ".4294967295.".len() + "XXXXXX".len() + TMP_SUFFIX.len());
    while stem.len() > room {
        stem.pop();
    }
    stem
}

/// Replace the file at `path` (or the file a symlink there points to) with `bytes`, atomically.
/// Returns the real path written.
///
/// # Guarantees
/// The target holds either its old content or `bytes`, never a mix; its mode and owner are kept
/// (`Access::Private` also drops group and other permissions); no file other than the target and
/// a fresh temporary file in its directory is ever opened for writing.
///
/// # Errors
/// Unresolvable target, I/O errors, or an owner that cannot be kept; the target is then
/// untouched and the temporary file removed.
pub fn write(path: &Path, bytes: &[u8], access: Access) -> io::Result<PathBuf> {
    let shown = resolve(path)?;
    let real = anchored(&shown);
    let old = fs::metadata(&real).ok();
    let new_mode = if access == Access::Private { 0o600 } else { 0o666 };
    sweep_orphans(&real);
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{}.{}.", temp_stem(&real), std::process::id()))
        .suffix(TMP_SUFFIX)
        .permissions(fs::Permissions::from_mode(new_mode))
        .tempfile_in(dir_of(&real))?;
    if let Some(old) = &old {
        let mode = old.mode() & 0o7777;
        let mode = if access == Access::Private { mode & !0o077 } else { mode };
        let file = tmp.as_file();
        if (file.metadata()?.uid(), file.metadata()?.gid()) != (old.uid(), old.gid()) {
            std::os::unix::fs::fchown(file, Some(old.uid()), Some(old.gid())).map_err(|e| {
                io::Error::new(e.kind(), format!("cannot keep its owner {}:{} ({e})", old.uid(), old.gid()))
            })?;
        }
        file.set_permissions(fs::Permissions::from_mode(mode))?;
    }
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(&real).map_err(|e| e.error)?;
    // The rename is done; a failed directory fsync only weakens durability after a crash.
    if let Ok(d) = fs::File::open(dir_of(&real)) {
        let _ = d.sync_all();
    }
    Ok(shown)
}

/// A relative path anchored at the process's real working directory. `tempfile` makes a
/// relative directory absolute with `getcwd`, whose text can name another directory than the
/// working directory itself (a mount over it, as in a mount namespace): the temporary file then
/// lands elsewhere and the rename fails across devices, or worse. `/proc/self/cwd` always is the
/// working directory, so both paths name the same place.
fn anchored(path: &Path) -> PathBuf {
    let cwd = Path::new("/proc/self/cwd");
    if path.is_relative() && cwd.is_dir() {
        cwd.join(path)
    } else {
        path.to_path_buf()
    }
}

/// The temporary files `write` made for `path` that are still there, with the writer's process
/// id when the name carries one.
fn temps_of(path: &Path) -> Vec<(PathBuf, Option<u32>)> {
    let prefix = format!(".{}.", temp_stem(path));
    let Ok(entries) = fs::read_dir(dir_of(path)) else { return Vec::new() };
    entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let middle = name.strip_prefix(&prefix)?.strip_suffix(TMP_SUFFIX)?;
            let pid = middle.split_once('.').and_then(|(pid, _)| pid.parse().ok());
            Some((e.path(), pid))
        })
        .collect()
}

/// Remove temporary files a killed `write` left next to `path`. Call only while holding a lock
/// that every writer of `path` takes (a running writer's temporary file would be removed).
pub fn remove_stale_temps(path: &Path) {
    for (temp, _) in temps_of(path) {
        let _ = fs::remove_file(temp);
    }
}

/// How old an orphan must be before `write` removes it without a lock: a writer in another PID
/// namespace looks dead from here, but no writer keeps its temporary file this long.
const ORPHAN_AGE: std::time::Duration = std::time::Duration::from_secs(60);

/// Remove temporary files of `path` whose writer has exited (its process id is gone) and that
/// are older than `ORPHAN_AGE`: what a killed `write` leaves. A live writer's file is kept.
fn sweep_orphans(path: &Path) {
    for (temp, pid) in temps_of(path) {
        let Some(pid) = pid.filter(|&p| p != std::process::id()) else { continue };
        let gone = Path::new("/proc/self").exists() && !Path::new("/proc").join(pid.to_string()).exists();
        let old = fs::symlink_metadata(&temp)
            .and_then(|m| m.modified())
            .is_ok_and(|t| t.elapsed().is_ok_and(|a| a > ORPHAN_AGE));
        if gone && old {
            let _ = fs::remove_file(temp);
        }
    }
}

/// Open (creating it if needed) a lock file without following a symlink planted at its name.
///
/// # Errors
/// I/O errors, or a symlink at `path`.
pub fn open_lock(path: &Path) -> io::Result<fs::File> {
    fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
}

/// Whether two paths name the same existing file (same device and inode, symlinks followed).
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (fs::metadata(a), fs::metadata(b)) {
        (Ok(a), Ok(b)) => (a.dev(), a.ino()) == (b.dev(), b.ino()),
        _ => false,
    }
}

/// Refuse an output path that names one of the command's inputs (`(what, path)` pairs).
///
/// # Errors
/// A message naming the input the output would overwrite.
pub fn refuse_overwrite(out: &Path, inputs: &[(&str, &Path)]) -> Result<(), String> {
    match inputs.iter().find(|(_, p)| same_file(out, p)) {
        Some((what, p)) => {
            Err(format!("`{}` is the {what} (`{}`); writing there would destroy it", out.display(), p.display()))
        }
        None => Ok(()),
    }
}

/// Whether a file exists and anyone on the machine may read it.
pub fn world_readable(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| m.mode() & 0o004 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_the_real_file_behind_a_symlink_and_keeps_the_link() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.xml");
        fs::write(&real, "old").unwrap();
        fs::set_permissions(&real, fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("link.xml");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let written = write(&link, b"new", Access::Keep).unwrap();
        assert_eq!(written, fs::canonicalize(&real).unwrap());
        assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(fs::read_to_string(&real).unwrap(), "new");
        assert_eq!(fs::metadata(&real).unwrap().mode() & 0o777, 0o640);
        assert!(link_note(&link).unwrap().contains("is a symlink"));
        assert_eq!(link_note(&real), None);
    }

    #[test]
    fn private_files_lose_group_and_other_bits() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("old");
        fs::write(&old, "x").unwrap();
        fs::set_permissions(&old, fs::Permissions::from_mode(0o644)).unwrap();
        write(&old, b"y", Access::Private).unwrap();
        assert_eq!(fs::metadata(&old).unwrap().mode() & 0o777, 0o600);
        let new = dir.path().join("new");
        write(&new, b"y", Access::Private).unwrap();
        assert_eq!(fs::metadata(&new).unwrap().mode() & 0o777, 0o600);
    }

    #[test]
    fn refuses_what_is_not_a_regular_file_and_creates_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("sub");
        fs::create_dir(&target).unwrap();
        assert!(write(&target, b"x", Access::Keep).is_err(), "a directory is not a regular file");
        let dangling = dir.path().join("dangling");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
        assert!(write(&dangling, b"x", Access::Keep).is_err());
        assert!(!dir.path().join("nowhere").exists(), "a dangling link's target is never created");
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[test]
    fn lock_files_do_not_follow_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        let lock = dir.path().join(".lock");
        std::os::unix::fs::symlink(&victim, &lock).unwrap();
        assert!(open_lock(&lock).is_err());
        assert!(!victim.exists());
    }
}

#[cfg(test)]
mod anchor_tests {
    use super::*;

    #[test]
    fn relative_paths_are_anchored_at_the_real_working_directory() {
        assert_eq!(anchored(Path::new("plan.json")), Path::new("/proc/self/cwd/plan.json"));
        assert_eq!(anchored(Path::new("/tmp/plan.json")), Path::new("/tmp/plan.json"));
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("f");
        assert_eq!(write(&target, b"x", Access::Keep).unwrap(), target, "the path shown is the one given");
    }
}
