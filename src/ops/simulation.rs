//! Asking Pacemaker's scheduler (`crm_simulate`): the transition preview and what-if scenarios.

use super::*;

/// Ask Pacemaker's scheduler (`crm_simulate`) what the new configuration would make it do, given
/// the current status: on the cluster's node for live targets, on this host for CIB files. Never
/// fails: when it cannot run, the preview says why.
pub async fn preview(
    backend: &Backend,
    live: &Cib,
    new_config: &crate::cib::xml::Element,
    budget: std::time::Duration,
) -> crate::preview::Preview {
    use crate::preview::Preview;
    if !crate::preview::has_status(live) {
        return Preview::Skipped { reason: "the CIB's status has no node, so there is nothing to schedule".into() };
    }
    simulate(backend, crate::preview::command().timeout(budget), &live.with_configuration(new_config.clone())).await
}

/// Ask the scheduler about each scenario, on top of the change (the new configuration with the
/// current status). Never fails: a scenario that cannot run says why.
pub async fn what_if(
    backend: &Backend,
    live: &Cib,
    new_config: &crate::cib::xml::Element,
    scenarios: &[crate::preview::Scenario],
    budget: std::time::Duration,
) -> Vec<(crate::preview::Scenario, crate::preview::Preview)> {
    let new = live.with_configuration(new_config.clone());
    let asks = scenarios.iter().map(|s| async {
        let p = match s.prepare(&new) {
            Ok((cmd, cib)) => simulate(backend, cmd.timeout(budget), &cib).await,
            Err(reason) => crate::preview::Preview::Skipped { reason },
        };
        (s.clone(), p)
    });
    futures_util::future::join_all(asks).await
}

/// Run a `crm_simulate` command on `cib` where the backend runs offline tools (the cluster's
/// node, or this host for a CIB file when host tools are allowed).
async fn simulate(backend: &Backend, cmd: crate::command::Cmd, cib: &Cib) -> crate::preview::Preview {
    use crate::preview::Preview;
    let (out, place) = match backend.offline(cmd.stdin(cib.root.to_xml())).await {
        Ok(Some(ran)) => ran,
        Ok(None) => {
            return Preview::Skipped { reason: "Pacemaker's tools on this host are not used (--no-host-tools)".into() }
        }
        Err(BackendError::Run(crate::backend::runner::RunError::Timeout { seconds, .. })) => {
            return Preview::Skipped {
                reason: format!(
                    "cut short after {seconds} s (--preview-timeout); ask for the full run with --preview-timeout SECONDS, or skip it with --no-preview"
                ),
            }
        }
        Err(e) => return Preview::Skipped { reason: e.to_string() },
    };
    let source = match &backend.target {
        Target::File(_) => format!("crm_simulate on {place}"),
        _ => format!("crm_simulate via {place}"),
    };
    match crate::preview::parse(&String::from_utf8_lossy(&out.stdout)) {
        Ok(actions) => Preview::Ran { source, actions },
        Err(why) => Preview::Skipped {
            reason: if out.stderr.trim().is_empty() { why } else { format!("{why}: {}", out.stderr.trim()) },
        },
    }
}
