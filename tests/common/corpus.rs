//! The CIB corpus (`tests/corpus/cib-corpus.tar.zst`: Pacemaker's scheduler regression CIBs),
//! read in memory. Shared by the integration tests (through `common`) and the unit tests (by
//! `#[path]`). Nothing is unpacked on disk, so concurrent test binaries cannot race and no
//! unpacked copy can go stale when the archive changes.

use std::io::Read;
use std::sync::OnceLock;

/// The archive, inside the repository.
pub const ARCHIVE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus/cib-corpus.tar.zst");

/// How many CIBs the archive holds (see `tests/corpus/README.md`).
pub const COUNT: usize = 599;

/// One corpus CIB: its file name (`name.xml`) and its text.
pub struct Entry {
    pub name: String,
    pub text: String,
}

/// Every CIB of the corpus, sorted by file name; decoded once per test binary.
pub fn cibs() -> &'static [Entry] {
    static CIBS: OnceLock<Vec<Entry>> = OnceLock::new();
    CIBS.get_or_init(read)
}

fn read() -> Vec<Entry> {
    let fail = |what: &str, e: &dyn std::fmt::Display| -> ! { panic!("{ARCHIVE}: {what}: {e}") };
    let file = std::fs::File::open(ARCHIVE).unwrap_or_else(|e| fail("open", &e));
    let zst = ruzstd::decoding::StreamingDecoder::new(std::io::BufReader::new(file))
        .unwrap_or_else(|e| fail("zstd header", &e));
    let mut archive = tar::Archive::new(zst);
    let mut out = Vec::with_capacity(COUNT);
    for entry in archive.entries().unwrap_or_else(|e| fail("tar", &e)) {
        let mut entry = entry.unwrap_or_else(|e| fail("tar entry", &e));
        let name = entry.path().unwrap_or_else(|e| fail("tar entry name", &e)).to_string_lossy().into_owned();
        let mut text = String::new();
        entry.read_to_string(&mut text).unwrap_or_else(|e| fail(&name, &e));
        out.push(Entry { name, text });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(out.len(), COUNT, "{ARCHIVE}: expected {COUNT} CIBs");
    assert!(out.iter().all(|e| e.name.ends_with(".xml") && !e.name.contains('/')), "{ARCHIVE}: unexpected entry");
    out
}
