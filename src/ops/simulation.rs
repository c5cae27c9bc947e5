//! Asking Pacemaker's scheduler (`crm_simulate`): the transition preview, what-if scenarios and failover tests.

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

/// The what-if scenarios and, unless previews are off, the file's failover tests, asked at once.
pub async fn what_if_and_tests(
    backend: &Backend,
    live: &Cib,
    new_config: &crate::cib::xml::Element,
    opts: PlanOpts<'_>,
    tests: &[crate::model::FailoverTest],
) -> (Vec<(crate::preview::Scenario, crate::preview::Preview)>, Vec<crate::failover::Verdict>) {
    let tests = if opts.preview { tests } else { &[] };
    let budget = opts.preview_timeout;
    tokio::join!(
        what_if(backend, live, new_config, opts.what_if, budget),
        failover_tests(backend, live, new_config, tests, budget)
    )
}

/// Play every failover test against the change (the new configuration with the current
/// status): each case of each test is a question to the scheduler, all asked at once, each within
/// the budget. Never fails: a case that cannot be asked says why.
pub async fn failover_tests(
    backend: &Backend,
    live: &Cib,
    new_config: &crate::cib::xml::Element,
    tests: &[crate::model::FailoverTest],
    budget: std::time::Duration,
) -> Vec<crate::failover::Verdict> {
    use crate::failover::{judge, CaseVerdict, Verdict};
    if !crate::preview::has_status(live) {
        let why = "the CIB's status has no node, so there is nothing to play them on";
        let none = |t: &crate::model::FailoverTest| {
            let cases = t.cases.iter().map(|e| CaseVerdict::error(e.clone(), why.into())).collect();
            Verdict::new(t, cases)
        };
        return tests.iter().map(none).collect();
    }
    let new = live.with_configuration(new_config.clone());
    let cases = tests.iter().map(|t| {
        let new = &new;
        async move {
            let asks = t.cases.iter().map(|events| async move {
                let cmd = crate::preview::simulate_command().timeout(budget);
                let prepared = crate::preview::prepare(events, new, cmd);
                let answer = match prepared {
                    Ok((cmd, cib)) => ask(backend, cmd, &cib).await,
                    Err(reason) => Err(reason),
                };
                let outcome = answer.and_then(|(out, _)| {
                    let stdout = String::from_utf8_lossy(&out.stdout);
                    crate::preview::parse_outcome(&stdout, &out.stderr).map_err(|why| with_output(why, &out.stderr))
                });
                match outcome {
                    Ok(o) => judge(t, events, &o),
                    Err(reason) => CaseVerdict::error(events.clone(), reason),
                }
            });
            Verdict::new(t, futures_util::future::join_all(asks).await)
        }
    });
    futures_util::future::join_all(cases).await
}

/// Run a `crm_simulate` command on `cib` where the backend runs offline tools (the cluster's
/// node, or this host for a CIB file when host tools are allowed). Returns its output and where
/// it ran, or why it did not run (lowercase).
async fn ask(
    backend: &Backend,
    cmd: crate::command::Cmd,
    cib: &Cib,
) -> Result<(crate::backend::runner::Output, String), String> {
    match backend.offline(cmd.stdin(cib.root.to_xml())).await {
        Ok(Some(ran)) => Ok(ran),
        Ok(None) => Err("Pacemaker's tools on this host are not used (--no-host-tools)".into()),
        Err(BackendError::Run(crate::backend::runner::RunError::Timeout { seconds, .. })) => Err(format!(
            "cut short after {seconds} s (--preview-timeout); ask for the full run with --preview-timeout SECONDS, or skip it with --no-preview"
        )),
        Err(e) => Err(e.to_string()),
    }
}

/// A reason with what the tool said on standard error, less the transition graph (which holds
/// the resources' parameters, secrets included).
fn with_output(why: String, stderr: &str) -> String {
    let said = match (stderr.find("<transition_graph"), stderr.rfind("</transition_graph>")) {
        (Some(a), Some(b)) => format!("{}{}", &stderr[..a], &stderr[b + "</transition_graph>".len()..]),
        (Some(a), None) => stderr[..a].to_string(),
        _ => stderr.to_string(),
    };
    match said.trim() {
        "" => why,
        said => format!("{why}: {said}"),
    }
}

/// Run a `crm_simulate` command on `cib` and read the transition it predicts.
async fn simulate(backend: &Backend, cmd: crate::command::Cmd, cib: &Cib) -> crate::preview::Preview {
    use crate::preview::Preview;
    let (out, place) = match ask(backend, cmd, cib).await {
        Ok(ran) => ran,
        Err(reason) => return Preview::Skipped { reason },
    };
    let source = match &backend.target {
        Target::File(_) => format!("crm_simulate on {place}"),
        _ => format!("crm_simulate via {place}"),
    };
    match crate::preview::parse(&String::from_utf8_lossy(&out.stdout)) {
        Ok(actions) => Preview::Ran { source, actions },
        Err(why) => Preview::Skipped { reason: with_output(why, &out.stderr) },
    }
}
