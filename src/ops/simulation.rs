//! Asking Pacemaker's scheduler (`crm_simulate`): the transition preview and what-if scenarios.

use super::*;

/// Ask Pacemaker's scheduler (`crm_simulate`) what the new configuration would make it do, given
/// the current status: on the cluster's node for live targets, on this host for CIB files. Never
/// fails: when it cannot run, the preview says why.
pub async fn preview(target: &Target, live: &Cib, new_config: &crate::cib::xml::Element) -> crate::preview::Preview {
    use crate::preview::Preview;
    if !crate::preview::has_status(live) {
        return Preview::Skipped { reason: "the CIB's status has no node, so there is nothing to schedule".into() };
    }
    simulate(target, crate::preview::command(), &live.with_configuration(new_config.clone())).await
}

/// Ask the scheduler about each scenario, on top of the change (the new configuration with the
/// current status). Never fails: a scenario that cannot run says why.
pub async fn what_if(
    target: &Target,
    live: &Cib,
    new_config: &crate::cib::xml::Element,
    scenarios: &[crate::preview::Scenario],
) -> Vec<(crate::preview::Scenario, crate::preview::Preview)> {
    let new = live.with_configuration(new_config.clone());
    let mut out = Vec::new();
    for s in scenarios {
        let p = match s.prepare(&new) {
            Ok((cmd, cib)) => simulate(target, cmd, &cib).await,
            Err(reason) => crate::preview::Preview::Skipped { reason },
        };
        out.push((s.clone(), p));
    }
    out
}

/// Run a `crm_simulate` command on `cib`: on this host for CIB files, where the cluster is
/// otherwise.
async fn simulate(target: &Target, cmd: crate::backend::runner::Cmd, cib: &Cib) -> crate::preview::Preview {
    use crate::backend::runner::Run;
    use crate::preview::Preview;
    let cmd = cmd.stdin(cib.root.to_xml());
    let (out, source) = match target {
        Target::File(_) => (
            crate::backend::runner::Local.run(&cmd).await.map_err(crate::backend::BackendError::from),
            "crm_simulate on this host".to_string(),
        ),
        _ => (backend::tool(target, cmd).await.map(|o| o.unwrap_or_default()), format!("crm_simulate via {target}")),
    };
    let out = match out {
        Ok(o) => o,
        Err(e) => return Preview::Skipped { reason: e.to_string() },
    };
    match crate::preview::parse(&String::from_utf8_lossy(&out.stdout)) {
        Ok(actions) => Preview::Ran { source, actions },
        Err(why) => Preview::Skipped {
            reason: if out.stderr.trim().is_empty() { why } else { format!("{why}: {}", out.stderr.trim()) },
        },
    }
}
