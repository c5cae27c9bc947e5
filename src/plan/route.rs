//! Stage 4 (data only): how `apply` would reach the nodes for corosync.conf and membership
//! work, as the command layer decided it before planning, without contacting any node
//! (`ops::plan_route`). Holds and words the decision; decides nothing and does no I/O.

use serde::{Deserialize, Serialize};

/// The transport `apply` would use for the plan's corosync.conf and membership procedures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Route {
    /// `--pcsd` given: pcsd on every node, never another way.
    Pcsd,
    /// A pcsd token is held for every node: pcsd when each node's pcsd answers with it at apply
    /// time, otherwise `otherwise`.
    PcsdIfItAnswers { otherwise: Commands },
    /// Commands on each node; `no_token`: the nodes without a pcsd token, when some have one.
    Commands {
        how: Commands,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        no_token: Vec<String>,
    },
    /// A quorum device changes without `--pcsd`: commands on each node and the qnetd host,
    /// tokens or not.
    QuorumDevice { how: Commands },
    /// `--corosync FILE`: the file is written, nothing runs on the nodes.
    File { path: String },
}

/// How commands reach the nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Commands {
    /// ssh to every node.
    Ssh,
    /// This host is a node; ssh to the others.
    ThisHostAndSsh,
}

impl Commands {
    fn says(self) -> &'static str {
        match self {
            Commands::Ssh => "ssh",
            Commands::ThisHostAndSsh => "this host and ssh to the other nodes",
        }
    }
}

impl Route {
    /// One sentence (untrusted parts as they are: each printer escapes it for where it lands).
    pub fn says(&self) -> String {
        match self {
            Route::Pcsd => "pcsd (`--pcsd`)".into(),
            Route::PcsdIfItAnswers { otherwise } => format!(
                "pcsd if it answers on every node (a pcsd token is held for each), otherwise {}",
                otherwise.says()
            ),
            Route::Commands { how, no_token } if no_token.is_empty() => {
                format!("{} (no pcsd token held: `pcs host auth` or `--pcsd` for pcsd)", how.says())
            }
            Route::Commands { how, no_token } => {
                format!(
                    "{} (no pcsd token for {}: pcsd is used only with one for every node)",
                    how.says(),
                    no_token.join(", ")
                )
            }
            Route::QuorumDevice { how } => {
                format!(
                    "{} and ssh to the qnetd host (without `--pcsd`, a quorum device is set up over ssh)",
                    how.says()
                )
            }
            Route::File { path } => format!("the file `{path}` (written; nothing runs on the nodes)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_route_says_what_apply_would_use() {
        let r = Route::PcsdIfItAnswers { otherwise: Commands::Ssh };
        assert_eq!(r.says(), "pcsd if it answers on every node (a pcsd token is held for each), otherwise ssh");
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(json, r#"{"kind":"pcsd-if-it-answers","otherwise":"ssh"}"#);
        assert_eq!(serde_json::from_str::<Route>(&json).unwrap(), r);
        let r = Route::Commands { how: Commands::ThisHostAndSsh, no_token: vec!["n2".into()] };
        assert_eq!(
            r.says(),
            "this host and ssh to the other nodes (no pcsd token for n2: pcsd is used only with one for every node)"
        );
        assert_eq!(serde_json::to_string(&Route::Pcsd).unwrap(), r#"{"kind":"pcsd"}"#);
    }
}
