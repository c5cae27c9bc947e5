//! Verifying an apply: after the write, the target is re-planned against the file; when changes
//! remain, the configuration read back is compared with the one written to say why. Pure: the
//! caller reads the target; nothing here does I/O or decides whether to write.

use super::*;
use crate::cib::Version;
use crate::error::Drift;

/// The error for a write whose target still differs from the file.
///
/// `written` is the CIB version right after the write (the backend re-reads it), `sent` the
/// configuration written and `now` the CIB the verification read. The cluster holds what was
/// written when the digests match (or nothing differs but the serialisation); otherwise, a
/// configuration version past the write's means someone changed the cluster after it, the
/// same version means Pacemaker changed or refused part of the write.
pub fn unverified(
    written: Version,
    sent: &crate::cib::xml::Element,
    now: &Cib,
    remaining: usize,
    sensitive: &[String],
) -> Error {
    let changes = if now.config_digest() == crate::cib::digest_of(sent) {
        Vec::new()
    } else {
        plan::diff(sent, now.configuration())
    };
    let drift = match now.version() {
        _ if changes.is_empty() => Drift::AsWritten,
        Ok(v) if (v.admin_epoch, v.epoch) > (written.admin_epoch, written.epoch) => Drift::ChangedAfter { now: v },
        _ => Drift::NotAsWritten,
    };
    Error::Unverified { version: written, remaining, drift, changes, sensitive: sensitive.to_vec() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cib(epoch: u64, config: &str) -> Cib {
        let text = format!(r#"<cib admin_epoch="0" epoch="{epoch}" num_updates="3">{config}<status/></cib>"#);
        Cib::parse("x", &text).unwrap()
    }

    fn config(resources: &str) -> String {
        format!("<configuration><crm_config/><nodes/><resources>{resources}</resources><constraints/></configuration>")
    }

    const WRITTEN: Version = Version { admin_epoch: 0, epoch: 12, num_updates: 0 };
    const OURS: &str = r#"<primitive id="a" class="ocf" provider="pacemaker" type="Dummy"/>"#;
    const THEIRS: &str = r#"<primitive id="b" class="ocf" provider="pacemaker" type="Dummy"/>"#;

    fn sent() -> crate::cib::xml::Element {
        crate::cib::xml::Element::parse(&config(OURS)).unwrap()
    }

    fn drift(e: &Error) -> (Drift, Vec<String>) {
        let Error::Unverified { drift, changes, .. } = e else { panic!("{e}") };
        (*drift, changes.iter().map(|c| c.key.id.clone()).collect())
    }

    #[test]
    fn an_edit_after_the_write_is_named_as_such_with_what_it_changed() {
        let now = cib(13, &config(&format!("{OURS}{THEIRS}")));
        let e = unverified(WRITTEN, &sent(), &now, 1, &[]);
        let now_v = Version { admin_epoch: 0, epoch: 13, num_updates: 3 };
        assert_eq!(drift(&e), (Drift::ChangedAfter { now: now_v }, vec!["b".to_string()]));
        let text = e.to_string();
        assert!(text.contains("the cluster changed after the write (now CIB 0.13.3)"), "{text}");
        assert!(!text.contains("Pacemaker changed"), "{text}");
    }

    #[test]
    fn a_write_pacemaker_changed_is_not_blamed_on_someone_else() {
        let now = cib(12, &config(""));
        let e = unverified(WRITTEN, &sent(), &now, 1, &[]);
        assert_eq!(drift(&e), (Drift::NotAsWritten, vec!["a".to_string()]));
        assert!(e.to_string().contains("Pacemaker changed or refused part of what was written"), "{e}");
    }

    #[test]
    fn a_cluster_holding_what_was_written_points_at_cibform() {
        let now = cib(14, &config(OURS));
        let e = unverified(WRITTEN, &sent(), &now, 2, &[]);
        assert_eq!(drift(&e), (Drift::AsWritten, Vec::new()));
        assert!(e.help().unwrap().contains("bug in cibform"), "{:?}", e.help());
    }
}
