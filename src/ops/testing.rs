//! Failover tests (`cibform test`): every scenario of the file, played by Pacemaker's scheduler
//! on the planned configuration (the file's configuration merged into the target's, as `apply`
//! would write it) with the target's current status. Reads the target; never writes it.

use super::*;

/// The failover tests' results and what they were run against.
#[derive(Debug)]
pub struct Tested {
    pub verdicts: Vec<crate::failover::Verdict>,
    pub header: Header,
    /// How many changes the plan under test makes.
    pub changes: usize,
    /// Agents whose default operations could not be read (the planned configuration guesses).
    pub warnings: Vec<String>,
}

/// Run the file's failover tests against the planned configuration of `backend`'s target.
///
/// # Errors
/// The target cannot be read, belongs to another cluster, or its CIB has no status to play the
/// scenarios on.
pub async fn test(model: &Cluster, backend: &Backend, opts: PlanOpts<'_>) -> Result<Tested, Error> {
    let planned = plan_configuration(model, backend, opts).await?;
    if !crate::preview::has_status(&planned.live.cib) && !model.scenarios.is_empty() {
        return Err(Error::Usage {
            message: format!(
                "the CIB of {} has no node status, so there is nothing to play the scenarios on",
                backend.target
            ),
            help:
                "test against the running cluster, or a CIB file saved with its status (`cibadmin --query > cib.xml`)"
                    .into(),
        });
    }
    let verdicts =
        failover_tests(backend, &planned.live.cib, &planned.plan.new_config, &model.scenarios, opts.preview_timeout)
            .await;
    let mask = crate::mask::Mask::new(&model.policy.sensitive);
    Ok(Tested {
        verdicts: verdicts.into_iter().map(|v| v.masked(&mask)).collect(),
        header: planned.header,
        changes: planned.plan.changes.len(),
        warnings: planned.plan.warnings,
    })
}
