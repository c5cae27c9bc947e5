//! Orchestration for `plan`: which transport `apply` would use for corosync.conf and membership
//! work, decided from what this host knows (the flags, the target, the pcsd tokens held in
//! cibform's store or pcs's known-hosts), by the rule `apply` follows (`default_pcsd` before
//! its probe). A quorum device change needs a token for its qnetd host too. Reads the token files; never contacts a node, so the plan stays what the
//! cluster file and the live state make it.

use std::path::Path;

use crate::backend::pcsd::Settings;
use crate::backend::{Backend, ConfText, Target};
use crate::plan::route::{Commands, Route};

/// The route `apply` would take with the same flags; `None` when it does no corosync work
/// (a CIB file or remote CIB target without `--corosync`). `device`: a quorum device changes,
/// and these hosts' pcsd is needed besides the nodes' (`ops::device_pcsd_hosts`).
pub fn plan_route(
    backend: &Backend,
    corosync_file: Option<&Path>,
    current: Option<&ConfText>,
    device: Option<&[String]>,
    settings: &Settings,
) -> Option<Route> {
    if let Some(p) = corosync_file {
        return Some(Route::File { path: p.display().to_string() });
    }
    if backend.pcsd.is_some() {
        return Some(Route::Pcsd);
    }
    let how = match backend.target {
        Target::Local => Commands::ThisHostAndSsh,
        Target::Ssh(_) => Commands::Ssh,
        _ => return None,
    };
    let names = current.and_then(super::pcsd_default::node_names).unwrap_or_default();
    if let Some(also) = device {
        // As `apply`: pcsd when a token is held for every node and the qnetd host it needs,
        // else over ssh to the nodes and the qnetd host (`ops::qdevice`).
        let all: Vec<String> = names.iter().chain(also).cloned().collect();
        let every = !names.is_empty() && super::pcsd_default::held(settings, &all).iter().all(|(_, h)| *h);
        return Some(if every { Route::PcsdIfItAnswers { otherwise: how } } else { Route::QuorumDevice { how } });
    }
    let held = super::pcsd_default::held(settings, &names);
    let no_token: Vec<String> = names.iter().zip(&held).filter(|(_, (_, h))| !*h).map(|(n, _)| n.clone()).collect();
    Some(match () {
        () if !names.is_empty() && no_token.is_empty() => Route::PcsdIfItAnswers { otherwise: how },
        () if no_token.len() == names.len() => Route::Commands { how, no_token: Vec::new() },
        () => Route::Commands { how, no_token },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::pcsd::{Endpoint, PasswordSource, Secret};

    fn conf() -> ConfText {
        let text = "totem {\n    cluster_name: c\n}\nnodelist {\n    node {\n        ring0_addr: 10.0.0.1\n        name: n1\n        nodeid: 1\n    }\n    node {\n        ring0_addr: 10.0.0.2\n        name: n2\n        nodeid: 2\n    }\n}\n";
        ConfText { name: "c".into(), text: text.into() }
    }

    /// Every case, without a node answering anything: the flags, the target, the tokens held.
    #[test]
    fn the_route_follows_the_flags_the_target_and_the_tokens_held() {
        let dir = tempfile::tempdir().unwrap();
        let s = Settings::new(dir.path(), None, PasswordSource::None);
        let ssh = Backend::new(Target::parse("ssh://n1,n2").unwrap(), false);
        let c = conf();
        let file = Path::new("corosync.conf");
        assert_eq!(
            plan_route(&ssh, Some(file), Some(&c), None, &s),
            Some(Route::File { path: "corosync.conf".into() })
        );
        let none = Route::Commands { how: Commands::Ssh, no_token: Vec::new() };
        assert_eq!(plan_route(&ssh, None, Some(&c), None, &s), Some(none));
        let ep = |h: &str| Endpoint { host: h.into(), port: crate::backend::pcsd::DEFAULT_PORT };
        s.tokens.save("n1", &ep("n1"), &Secret::new("t1")).unwrap();
        let some = Route::Commands { how: Commands::Ssh, no_token: vec!["n2".into()] };
        assert_eq!(plan_route(&ssh, None, Some(&c), None, &s), Some(some));
        s.tokens.save("n2", &ep("n2"), &Secret::new("t2")).unwrap();
        let all = Route::PcsdIfItAnswers { otherwise: Commands::Ssh };
        assert_eq!(plan_route(&ssh, None, Some(&c), None, &s), Some(all.clone()));
        let device = Route::QuorumDevice { how: Commands::Ssh };
        let qnetd = ["q".to_string()];
        assert_eq!(
            plan_route(&ssh, None, Some(&c), Some(&qnetd), &s),
            Some(device),
            "a quorum device goes over ssh without a token for its qnetd host"
        );
        assert_eq!(plan_route(&ssh, None, Some(&c), Some(&[]), &s), Some(all.clone()), "a removal needs none");
        s.tokens.save("q", &ep("q"), &Secret::new("tq")).unwrap();
        assert_eq!(plan_route(&ssh, None, Some(&c), Some(&qnetd), &s), Some(all), "with one: pcsd if it answers");
        let local = Backend::new(Target::Local, false);
        let here = Route::PcsdIfItAnswers { otherwise: Commands::ThisHostAndSsh };
        assert_eq!(plan_route(&local, None, Some(&c), None, &s), Some(here));
        // `--pcsd`: pcsd, whatever the tokens.
        let settings = std::sync::Arc::new(Settings::new(dir.path(), None, PasswordSource::None));
        let pcsd =
            crate::backend::pcsd::Pcsd::new(crate::backend::pcsd::PcsdTarget { hosts: vec![ep("n1")] }, settings);
        let with_pcsd = ssh.clone().with_pcsd(Some(pcsd));
        assert_eq!(plan_route(&with_pcsd, None, Some(&c), None, &s), Some(Route::Pcsd));
        assert_eq!(plan_route(&with_pcsd, None, Some(&c), Some(&qnetd), &s), Some(Route::Pcsd), "a quorum device too");
        let cib = Backend::new(Target::parse("file:cib.xml").unwrap(), false);
        assert_eq!(plan_route(&cib, None, Some(&c), None, &s), None);
    }
}
