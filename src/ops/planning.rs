//! Planning: read the target, build the desired configuration and plan it (pure, in `plan`),
//! with agent metadata for default operations and the corosync.conf comparison.

use super::*;

/// A plan together with what it was made against.
#[derive(Debug)]
pub struct Planned {
    pub plan: Plan,
    /// What the plan was made against.
    pub basis: Basis,
    pub header: Header,
    pub live: Live,
    /// What crm_verify, run in this plan, said about the new CIB (none when it was not run).
    pub verdict: Option<crate::backend::verify::Verdict>,
}

/// Plan `model` against a CIB already read. Pure apart from nothing: no I/O.
///
/// # Errors
/// The CIB belongs to another cluster (`cluster-name` differs).
pub fn plan_live(model: &Cluster, live: Live, target: &Target, defaults: &DefaultOps) -> Result<Planned, Error> {
    let (plan, header) = plan_against(model, &live, target, defaults)?;
    Ok(Planned { plan, basis: live.cib.basis(), header, live, verdict: None })
}

/// [`plan_live`] on a borrowed CIB, without its basis: the plan and its header (what export's
/// self-check needs, with no copy of the CIB and no digest of it).
///
/// # Errors
/// As [`plan_live`].
pub fn plan_against(
    model: &Cluster,
    live: &Live,
    target: &Target,
    defaults: &DefaultOps,
) -> Result<(Plan, Header), Error> {
    if let Some(name) = live.cib.cluster_name() {
        if name != model.name {
            return Err(Error::WrongCluster {
                target: target.to_string(),
                live: name.to_string(),
                file: model.name.clone(),
            });
        }
    }
    let mut taken = Vec::new();
    live.cib.configuration().collect_ids(&mut taken);
    let d = desired::build(model, taken.into_iter().map(str::to_string), defaults);
    let mut plan = plan::compute(live.cib.configuration(), &d);
    let already = crate::cib::duplicate_ids(live.cib.configuration());
    let dups: Vec<String> =
        crate::cib::duplicate_ids(&plan.new_config).into_iter().filter(|id| !already.contains(id)).collect();
    if !dups.is_empty() {
        return Err(Error::DuplicateIds(dups));
    }
    let dangling_before = crate::cib::refs::dangling(live.cib.configuration());
    let dangling: Vec<String> =
        crate::cib::refs::dangling(&plan.new_config).into_iter().filter(|r| !dangling_before.contains(r)).collect();
    if !dangling.is_empty() {
        return Err(Error::DanglingRefs(dangling));
    }
    schema_check(&live.cib, &plan.new_config)?;
    let kept = crate::cib::owned_properties(live.cib.configuration());
    let mut owned: Vec<String> =
        crate::cib::owned_properties(&plan.new_config).difference(&kept).map(|(_, name, _)| name.clone()).collect();
    owned.dedup();
    if !owned.is_empty() {
        return Err(Error::OwnedProperties(owned));
    }
    match &live.corosync {
        Some(conf) => {
            let r = crate::corosync::reconcile(&crate::corosync::parse(&conf.name, &conf.text)?, model);
            let diff = crate::corosync::unified_diff(&conf.name, &conf.text, &r.text);
            leaving_warnings(&mut plan.warnings, &r.changes);
            plan.corosync =
                plan::CorosyncPlan { source: Some(conf.name.clone()), changes: r.changes, diff, transport: None };
        }
        None if model.nodes.iter().any(|n| !n.addrs.is_empty())
            || model.quorum != Default::default()
            || model.corosync != Default::default() =>
        {
            plan.warnings.push(format!(
                "corosync.conf was not read from {target}: node addresses and quorum are not compared (pass --corosync PATH)"
            ));
        }
        None => {}
    }
    let header = Header {
        cluster: model.name.clone(),
        target: target.to_string(),
        version: live.cib.version().map(|v| v.to_string()).unwrap_or_default(),
        sensitive: model.policy.sensitive.clone(),
    };
    Ok((plan, header))
}

/// How to plan.
#[derive(Debug, Clone, Copy)]
pub struct PlanOpts<'a> {
    /// A local corosync.conf that replaces the target's own.
    pub corosync: Option<&'a Path>,
    /// Ask Pacemaker's scheduler what the change would do.
    pub preview: bool,
    /// And what would happen after it in these scenarios.
    pub what_if: &'a [crate::preview::Scenario],
    /// How long each question to the scheduler may take; a longer one is cut short and says so.
    pub preview_timeout: std::time::Duration,
    /// Agent metadata already looked up (`metadata`); default operations come from it.
    pub catalog: Option<&'a crate::validate::agents::Catalog>,
}

impl Default for PlanOpts<'_> {
    fn default() -> Self {
        PlanOpts {
            corosync: None,
            preview: false,
            what_if: &[],
            preview_timeout: DEFAULT_PREVIEW_TIMEOUT,
            catalog: None,
        }
    }
}

/// The default budget of one `crm_simulate` run (`--preview-timeout`).
pub const DEFAULT_PREVIEW_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Read the target and plan its configuration, asking Pacemaker nothing (no crm_verify, no
/// scheduler): what `plan` and `cibform test` share.
///
/// # Errors
/// The target cannot be read, or the CIB belongs to another cluster.
pub async fn plan_configuration(model: &Cluster, backend: &Backend, opts: PlanOpts<'_>) -> Result<Planned, Error> {
    let live = read(backend, opts.corosync).await?;
    let empty = crate::validate::agents::Catalog::default();
    let (defaults, notes) = agent_defaults(model, &live.cib, opts.catalog.unwrap_or(&empty));
    let mut planned = plan_live(model, live, &backend.target, &defaults)?;
    planned.plan.warnings.extend(waiver_notes(model));
    planned.plan.warnings.extend(notes);
    planned.plan.warnings.extend(version_notes(model, &planned.live.cib));
    planned.plan.warnings.extend(large_patch_warning(planned.plan.changes.len(), &backend.target));
    Ok(planned)
}

/// Refuse forms the target's CIB schema does not have (those it already holds excepted).
///
/// # Errors
/// `SchemaTooOld`.
fn schema_check(live: &crate::cib::Cib, new: &crate::cib::xml::Element) -> Result<(), Error> {
    let Some(have) = crate::cib::schema::version(&live.root) else { return Ok(()) };
    let already = crate::cib::schema::too_new(live.configuration(), have);
    let forms: Vec<(String, String)> = crate::cib::schema::too_new(new, have)
        .into_iter()
        .filter(|f| !already.contains(f))
        .map(|(w, v)| (w.to_string(), v))
        .collect();
    if forms.is_empty() {
        return Ok(());
    }
    let schema = live.root.attr("validate-with").unwrap_or_default().to_string();
    Err(Error::SchemaTooOld { schema, forms })
}

/// A node the CIB has and the file does not declare is left alone, the merge warns; but when
/// corosync.conf lists it, the node leaves the cluster (and `crm_node -R` takes it out of the
/// CIB): the warning says that instead.
fn leaving_warnings(warnings: &mut [String], changes: &[crate::corosync::ConfChange]) {
    let leaving = changes.iter().filter(|c| c.procedure == crate::corosync::facts::LEAVE);
    for name in leaving.filter_map(|c| c.key.strip_prefix("node ")) {
        let alone = format!("node `{name}` is in the CIB but not declared in the file; cibform leaves it alone");
        for w in warnings.iter_mut().filter(|w| **w == alone) {
            *w = format!("node `{name}` is not declared in the file: it LEAVES the cluster (stopped, taken out of corosync.conf, forgotten by Pacemaker)");
        }
    }
}

/// Changes above which one patch may keep a running cluster's CIB manager busy past the ~30 s
/// pacemakerd waits for it to answer (measured with Pacemaker 2.1.5 on two cores, into an
/// empty cluster: 4,660 new objects went in in 15 s, 6,990 did not; the work grows faster than
/// the patch). Half the measured limit, for slower machines and larger CIBs.
pub const LARGE_PATCH: usize = 2_500;

/// A plan with more than `LARGE_PATCH` changes for a running cluster (the write is one patch):
/// what may happen, and what to do instead.
pub fn large_patch_warning(changes: usize, target: &Target) -> Option<String> {
    (changes > LARGE_PATCH && !matches!(target, Target::File(_))).then(|| {
        format!(
            "{changes} changes go to the running cluster in one patch: Pacemaker's CIB manager may work on it longer than the ~30 s pacemakerd waits for an answer, and then pacemakerd restarts it, the change is lost and Pacemaker may stop on the node (measured with Pacemaker 2.1.5: 6,990 new objects did that, 4,660 took 15 s); apply a change this large in steps of at most {LARGE_PATCH} (the file grown in parts)"
        )
    })
}

/// Properties the file sets that the target's Pacemaker (its `dc-version`) is too old to know.
fn version_notes(model: &Cluster, live: &crate::cib::Cib) -> Vec<String> {
    let dc = crate::cib::owned_properties(live.configuration()).into_iter().find(|(_, name, _)| name == "dc-version");
    let Some((_, _, version)) = dc else { return Vec::new() };
    let names = model.properties.iter().map(|(n, _)| n.as_str());
    crate::validate::too_new_for(names, &version)
        .into_iter()
        .map(|(name, since)| {
            format!("the target runs Pacemaker {version}, which ignores property `{name}` (new in {since})")
        })
        .collect()
}

/// Read the target and plan.
///
/// # Errors
/// The target cannot be read, or the CIB belongs to another cluster.
pub async fn plan(model: &Cluster, backend: &Backend, opts: PlanOpts<'_>) -> Result<Planned, Error> {
    let mut planned = plan_configuration(model, backend, opts).await?;
    // crm_verify, the preview and every what-if scenario ask Pacemaker at the same time, the
    // scheduler's questions each within the budget.
    let (cib, new, budget) = (&planned.live.cib, &planned.plan.new_config, opts.preview_timeout);
    let changed = !planned.plan.changes.is_empty();
    let (verified, preview, what_if) = tokio::join!(
        async move {
            match changed {
                true => verify_notes(backend, cib, new).await,
                false => Default::default(),
            }
        },
        async move {
            match opts.preview && changed {
                true => Some(preview(backend, cib, new, budget).await),
                false => None,
            }
        },
        what_if_and_tests(backend, cib, new, opts, &model.scenarios)
    );
    let (notes, warnings, verdict) = verified;
    planned.verdict = verdict;
    planned.plan.notes = notes;
    planned.plan.warnings.extend(warnings);
    planned.plan.preview = preview;
    // Asked with the real values; kept for every printer and the saved plan with secrets masked.
    let mask = crate::mask::Mask::new(&model.policy.sensitive);
    let (asked, verdicts) = what_if;
    planned.plan.what_if = asked.into_iter().map(|(s, p)| (s.masked(&mask), p)).collect();
    planned.plan.scenarios = verdicts.into_iter().map(|v| v.masked(&mask)).collect();
    Ok(planned)
}

/// Default operations for the agents of resources the plan creates (unless `ops_exact`), the way pcs
/// derives them: from the agent's metadata where it was read (`metadata`: on a cluster node for
/// live targets, on this host for CIB files), else cibform's built-in table, else a 60 s monitor
/// (what pcs writes with --force). Returns the table and a note per agent that got the last
/// resort.
pub fn agent_defaults(
    model: &Cluster,
    live: &Cib,
    catalog: &crate::validate::agents::Catalog,
) -> (DefaultOps, Vec<String>) {
    let mut live_ids = Vec::new();
    live.configuration().collect_ids(&mut live_ids);
    let live_ids: std::collections::HashSet<&str> = live_ids.into_iter().collect();
    let mut wanted: std::collections::BTreeMap<String, (crate::model::Agent, Vec<String>)> = Default::default();
    for p in model.resources.iter().flat_map(crate::model::Resource::primitives) {
        if p.ops.uses_defaults() && !live_ids.contains(p.id.as_str()) {
            wanted.entry(p.agent.to_string()).or_insert_with(|| (p.agent.clone(), Vec::new())).1.push(p.id.clone());
        }
    }
    let mut table = desired::builtin_default_ops();
    let mut notes = Vec::new();
    for (name, (agent, ids)) in wanted {
        let xml = catalog.get(&agent).and_then(|e| e.xml.as_deref());
        let from_metadata = xml.and_then(|x| desired::ops_from_metadata(&agent, x).ok());
        match from_metadata {
            Some(ops) => {
                table.insert(name, ops);
            }
            None if table.contains_key(&name) => {}
            None => notes.push(format!(
                "no metadata for agent `{name}` here: {} get(s) only a 60 s monitor, as pcs --force writes; declare `ops` to choose",
                ids.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
            )),
        }
    }
    (table, notes)
}

/// Said in every plan and apply made with `--no-crm-verify`.
pub const NOT_VERIFIED: &str = "crm_verify was not run on the new CIB (--no-crm-verify): Pacemaker checks it against its schema when it takes the patch, but its scheduler's checks of the whole configuration were skipped";

/// What crm_verify, run where the cluster is, says about the new CIB (the new configuration with
/// the current status): the warnings the change causes (those the current CIB does not have)
/// as notes, and, as a warning, errors that will make `apply` refuse the plan. Live targets
/// only: a CIB file is written without this check. Returns `(notes, warnings, verdict)`.
async fn verify_notes(
    backend: &Backend,
    live: &Cib,
    new_config: &crate::cib::xml::Element,
) -> (Vec<String>, Vec<String>, Option<crate::backend::verify::Verdict>) {
    use crate::backend::verify::{self, Verdict};
    let target = &backend.target;
    if matches!(target, Target::File(_)) {
        return Default::default();
    }
    if !backend.crm_verify {
        return (Vec::new(), vec![NOT_VERIFIED.to_string()], None);
    }
    let verdict = ask_verify(backend, &live.with_configuration(new_config.clone())).await;
    let (notes, warnings) = match &verdict {
        Some(Verdict::Clean { .. }) => Default::default(),
        Some(Verdict::Warnings(new)) => {
            let current = match ask_verify(backend, live).await {
                Some(Verdict::Clean { warnings } | Verdict::Warnings(warnings)) => warnings,
                _ => Vec::new(),
            };
            (verify::notes(new, &current), Vec::new())
        }
        Some(Verdict::Errors(words)) => (
            Vec::new(),
            vec![format!(
                "crm_verify via {target} reports errors in the new CIB, so `apply` will refuse this plan:\n{words}"
            )],
        ),
        None => (Vec::new(), vec![format!("crm_verify could not be run via {target}: the new CIB was not checked")]),
    };
    (notes, warnings, verdict)
}

async fn ask_verify(backend: &Backend, cib: &Cib) -> Option<crate::backend::verify::Verdict> {
    let out = backend.query(crate::backend::verify::command(cib)).await.ok().flatten()?;
    Some(crate::backend::verify::judge(&out))
}
