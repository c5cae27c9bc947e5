//! Orchestration: what each command does, in terms of the pipeline stages. Commands in `cli` are
//! thin wrappers over these functions. I/O happens only through `config::load` and `backend`.

use std::path::Path;

use crate::backend::{self, BackendError, Expect, Live, Target};
use crate::cib::Cib;
use crate::desired::{self, DefaultOps};
use crate::diag::{Diag, Source};
use crate::error::Error;
use crate::model::Cluster;
use crate::plan::{self, Action, Plan};
use crate::render::json::{Against, PlanDoc};
use crate::render::Header;

/// A validated cluster file.
#[derive(Debug)]
pub struct Loaded {
    pub src: Source,
    pub model: Cluster,
    /// Warnings found while validating (errors fail `load`).
    pub warnings: Vec<Diag>,
}

/// Read and validate a cluster file.
///
/// # Errors
/// Every problem found, as diagnostics.
pub fn load(path: &Path) -> Result<Loaded, Error> {
    let (src, raw) = crate::config::load(path)?;
    let (model, warnings) = crate::validate::validate(&src, &raw)?;
    Ok(Loaded { src, model, warnings })
}

/// A plan together with what it was made against.
#[derive(Debug)]
pub struct Planned {
    pub plan: Plan,
    pub against: Against,
    pub header: Header,
    pub live: Live,
}

/// What the plan was made against, from a CIB.
pub fn against(cib: &Cib) -> Against {
    let v = cib.version().unwrap_or(crate::cib::Version { admin_epoch: 0, epoch: 0, num_updates: 0 });
    Against {
        admin_epoch: v.admin_epoch,
        epoch: v.epoch,
        num_updates: v.num_updates,
        config_digest: cib.config_digest(),
    }
}

/// Plan `model` against a CIB already read. Pure apart from nothing: no I/O.
///
/// # Errors
/// The CIB belongs to another cluster (`cluster-name` differs).
pub fn plan_live(model: &Cluster, live: Live, target: &Target, defaults: &DefaultOps) -> Result<Planned, Error> {
    if let Some(name) = live.cib.cluster_name() {
        if name != model.name {
            return Err(Error::Refused {
                message: format!("{target} is cluster `{name}`, but the file describes cluster `{}`", model.name),
                help: "check --target (or `target:` in the file); cibform never plans one cluster's file against another cluster".into(),
            });
        }
    }
    let mut taken = Vec::new();
    live.cib.configuration().collect_ids(&mut taken);
    let d = desired::build(model, taken.into_iter().map(str::to_string), defaults);
    let mut plan = plan::compute(live.cib.configuration(), &d);
    match &live.corosync {
        Some(conf) => {
            let facts = crate::corosync::Facts::from_conf(&crate::corosync::parse(&conf.name, &conf.text)?);
            let changes = crate::corosync::compare(model, &facts);
            plan.corosync = plan::CorosyncPlan { source: Some(conf.name.clone()), changes };
        }
        None if model.nodes.iter().any(|n| !n.addrs.is_empty()) || model.quorum != Default::default() => {
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
    };
    Ok(Planned { plan, against: against(&live.cib), header, live })
}

/// How to plan.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlanOpts<'a> {
    /// A local corosync.conf that replaces the target's own.
    pub corosync: Option<&'a Path>,
    /// Ask Pacemaker's scheduler what the change would do.
    pub preview: bool,
    /// And what would happen after it in these scenarios.
    pub what_if: &'a [crate::preview::Scenario],
}

/// Read the target and plan.
///
/// # Errors
/// The target cannot be read, or the CIB belongs to another cluster.
pub async fn plan(model: &Cluster, target: &Target, opts: PlanOpts<'_>) -> Result<Planned, Error> {
    let live = read(target, opts.corosync).await?;
    let (defaults, notes) = agent_defaults(model, &live.cib, target).await;
    let mut planned = plan_live(model, live, target, &defaults)?;
    planned.plan.warnings.extend(notes);
    if opts.preview && !planned.plan.changes.is_empty() {
        planned.plan.preview = Some(preview(target, &planned.live.cib, &planned.plan.new_config).await);
    }
    if !opts.what_if.is_empty() {
        planned.plan.what_if = what_if(target, &planned.live.cib, &planned.plan.new_config, opts.what_if).await;
    }
    Ok(planned)
}

/// Default operations for the agents of resources the plan creates without `ops`, the way pcs
/// derives them: from the agent's metadata where it can be read (on a cluster node for live
/// targets, on this host for CIB files), else cibform's built-in table, else a 60 s monitor (what
/// pcs writes with --force). Returns the table and a note per agent that got the last resort.
pub async fn agent_defaults(model: &Cluster, live: &Cib, target: &Target) -> (DefaultOps, Vec<String>) {
    use crate::backend::runner::{Cmd, Local, Run};
    let mut live_ids = Vec::new();
    live.configuration().collect_ids(&mut live_ids);
    let live_ids: std::collections::HashSet<&str> = live_ids.into_iter().collect();
    let mut wanted: std::collections::BTreeMap<String, (crate::model::Agent, Vec<String>)> = Default::default();
    let mut note = |p: &crate::model::Primitive| {
        if p.ops.is_none() && !live_ids.contains(p.id.as_str()) {
            wanted.entry(p.agent.to_string()).or_insert_with(|| (p.agent.clone(), Vec::new())).1.push(p.id.clone());
        }
    };
    fn walk(r: &crate::model::Resource, f: &mut dyn FnMut(&crate::model::Primitive)) {
        match r {
            crate::model::Resource::Primitive(p) => f(p),
            crate::model::Resource::Group(g) => g.members.iter().for_each(&mut *f),
            crate::model::Resource::Clone(c) => walk(&c.child, f),
        }
    }
    for r in &model.resources {
        walk(r, &mut note);
    }
    let mut table = desired::builtin_default_ops();
    let mut notes = Vec::new();
    for (name, (agent, ids)) in wanted {
        let cmd = Cmd::new(&["crm_resource", "--show-metadata", &name]);
        let out = match target {
            Target::File(_) => Local.run(&cmd).await.ok(),
            _ => backend::tool(target, cmd).await.ok().flatten(),
        };
        let from_metadata = out
            .filter(|o| o.code == 0)
            .and_then(|o| desired::ops_from_metadata(&agent, &String::from_utf8_lossy(&o.stdout)).ok());
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

/// Read the target, with `corosync` (a local corosync.conf) replacing the target's own.
///
/// # Errors
/// The target or the file cannot be read.
pub async fn read(target: &Target, corosync: Option<&Path>) -> Result<Live, Error> {
    let mut live = backend::read(target).await?;
    if let Some(p) = corosync {
        live.corosync = Some(crate::backend::ConfText::from_file(p)?);
    }
    Ok(live)
}

/// Export a CIB already read as a cluster file, checked: the text is loaded and validated like any
/// cluster file and planned against the same CIB. An object whose native form would plan a
/// change goes through the escape hatch instead (with a note saying why), until the plan is
/// empty. Returns the file's text and the notes.
///
/// # Errors
/// The exported text does not validate, or still plans changes (a bug in export: the message
/// says which objects).
pub fn export_live(
    live: &Live,
    target: &Target,
    opts: &crate::export::Options,
) -> Result<(String, Vec<String>), Error> {
    let defaults = desired::builtin_default_ops();
    let facts = match &live.corosync {
        Some(c) => Some(crate::corosync::Facts::from_conf(&crate::corosync::parse(&c.name, &c.text)?)),
        None => None,
    };
    let mut opts = opts.clone();
    loop {
        let ex = crate::export::from_cib(&live.cib, facts.as_ref(), &opts, &defaults);
        let text = crate::export::to_yaml(&ex.model);
        let (src, raw) = crate::config::parse("exported cluster file", text.as_bytes())?;
        let (model, _) = crate::validate::validate(&src, &raw)?;
        let planned = plan_live(&model, live.clone(), target, &defaults)?;
        if planned.plan.is_empty() {
            return Ok((text, ex.notes));
        }
        let before = opts.force_raw.len();
        for (key, why) in crate::export::raw_keys(&planned.plan, live.cib.configuration()) {
            opts.force_raw.entry(key).or_insert(why);
        }
        if opts.force_raw.len() == before {
            let plan = crate::render::text(&planned.plan, &planned.header, false);
            return Err(Error::Refused {
                message: format!("the exported file does not describe {target} exactly"),
                help: format!("this is a bug in `cibform export`; please report it with the plan:\n{plan}"),
            });
        }
    }
}

/// Read the target and export it (see `export_live`).
///
/// # Errors
/// The target cannot be read, or the export does not describe it exactly.
pub async fn export(
    target: &Target,
    opts: &crate::export::Options,
    corosync: Option<&Path>,
) -> Result<(String, Vec<String>), Error> {
    let live = read(target, corosync).await?;
    export_live(&live, target, opts)
}

/// Gates that block `apply` unless explicitly allowed; each entry says which flag opens it.
pub fn gates(
    plan: &Plan,
    old: &crate::cib::xml::Element,
    model_policy: Option<&crate::model::Policy>,
    allow_destroy: bool,
    allow_disable_stonith: bool,
) -> Vec<String> {
    let policy = model_policy.cloned().unwrap_or_default();
    let mut blocked = Vec::new();
    let destroyed: Vec<String> = plan
        .changes
        .iter()
        .filter(|c| c.action == Action::Destroy && c.key.section == plan::view::Section::Resources)
        .map(|c| format!("`{}`", c.key.id))
        .collect();
    if !(destroyed.is_empty() || allow_destroy || policy.allow_destroy) {
        blocked.push(format!(
            "the plan destroys {}: pass --allow-destroy (or set `policy: {{ allow_destroy: true }}`)",
            destroyed.join(", ")
        ));
    }
    let stonith_on = |config: &crate::cib::xml::Element| {
        let views = plan::view::views(config);
        let prop = views
            .iter()
            .find(|(k, _)| k.kind == "properties")
            .and_then(|(_, v)| v.iter().find(|(k, _)| k == "stonith-enabled").map(|(_, v)| v.to_ascii_lowercase()));
        !matches!(prop.as_deref(), Some("false" | "no" | "off" | "0" | "n"))
    };
    let has_fencing = |config: &crate::cib::xml::Element| {
        plan::view::views(config)
            .iter()
            .any(|(k, v)| k.kind == "primitive" && v.iter().any(|(a, val)| a == "agent" && val.starts_with("stonith:")))
    };
    let new = &plan.new_config;
    if !(allow_disable_stonith || policy.allow_disable_stonith) {
        if stonith_on(old) && !stonith_on(new) {
            blocked.push("the plan disables fencing (stonith-enabled=false): pass --allow-disable-stonith (or set `policy: { allow_disable_stonith: true }`)".into());
        } else if stonith_on(new) && has_fencing(old) && !has_fencing(new) {
            blocked.push("the plan removes the last fencing device: pass --allow-disable-stonith (or set `policy: { allow_disable_stonith: true }`)".into());
        }
    }
    blocked
}

/// Write a planned configuration.
///
/// # Guarantees
/// Writes only if the target's configuration is still the one planned against (digest match);
/// the write is one atomic update. After writing it re-reads the target and re-plans to confirm.
///
/// # Errors
/// Stale target (nothing written), I/O errors.
pub async fn write_planned(
    target: &Target,
    against: &Against,
    new_config: &crate::cib::xml::Element,
    old_config: Option<&crate::cib::xml::Element>,
) -> Result<crate::cib::Version, Error> {
    let live = backend::read(target).await?;
    if live.cib.config_digest() != against.config_digest {
        return Err(stale(against, &live.cib, old_config));
    }
    let expect = Expect { version: against.version(), config_digest: against.config_digest.clone() };
    match backend::write(target, &expect, new_config).await {
        Ok(v) => Ok(v),
        Err(BackendError::Stale { current, .. }) => Err(stale(against, &current, old_config)),
        Err(e) => Err(e.into()),
    }
}

fn stale(against: &Against, current: &Cib, old_config: Option<&crate::cib::xml::Element>) -> Error {
    let now = current.version().map(|v| v.to_string()).unwrap_or_default();
    let mut help = String::from("run `cibform plan` again and review the new plan");
    if let Some(old) = old_config {
        let changes = plan::diff(old, current.configuration());
        if !changes.is_empty() {
            let p = Plan {
                changes,
                warnings: Vec::new(),
                new_config: current.configuration().clone(),
                corosync: plan::CorosyncPlan::default(),
                preview: None,
                what_if: Vec::new(),
            };
            let h = Header { cluster: String::new(), target: String::new(), version: String::new() };
            let text = crate::render::text(&p, &h, false);
            let body: String =
                text.lines().skip_while(|l| !l.starts_with("cibform will")).skip(1).collect::<Vec<_>>().join("\n");
            help = format!("what changed in the cluster since the plan was made:\n{}\n{help}", body.trim_end());
        }
    }
    Error::Refused {
        message: format!(
            "the cluster changed since this plan was made (planned against CIB {}, now {now}); nothing was changed",
            against.version()
        ),
        help,
    }
}

/// Parse a saved plan.
///
/// # Errors
/// Not a plan document, or an unsupported format version.
pub fn read_saved_plan(path: &Path) -> Result<PlanDoc, Error> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| Error::Refused {
        message: format!("cannot read `{name}`: {e}"),
        help: "pass a plan written by `cibform plan --out`".into(),
    })?;
    let doc: PlanDoc = serde_json::from_str(&text).map_err(|e| Error::Refused {
        message: format!("`{name}` is not a cibform plan: {e}"),
        help: "pass a plan written by `cibform plan --out`".into(),
    })?;
    if doc.format_version != crate::render::json::FORMAT_VERSION {
        return Err(Error::Refused {
            message: format!(
                "`{name}` has plan format {}, this cibform reads {}",
                doc.format_version,
                crate::render::json::FORMAT_VERSION
            ),
            help: "make the plan again with this version of cibform".into(),
        });
    }
    if doc.new_configuration.is_none() {
        return Err(Error::Refused {
            message: format!("`{name}` has no configuration to apply"),
            help: "save plans with `cibform plan --out PLAN.json` (the `--format json` output is for reading only)"
                .into(),
        });
    }
    Ok(doc)
}

/// Where each resource runs, from `crm_mon`: id → `Role@node, ...` (sorted). `None` for targets
/// without a running cluster (files).
///
/// # Errors
/// `crm_mon` cannot be run.
pub async fn resource_states(target: &Target) -> Result<Option<std::collections::BTreeMap<String, String>>, Error> {
    let cmd = crate::backend::runner::Cmd::new(&["crm_mon", "-1", "--output-as=xml"]);
    let Some(out) = backend::tool(target, cmd).await? else { return Ok(None) };
    let Ok(xml) = crate::cib::xml::Element::parse(&String::from_utf8_lossy(&out.stdout)) else { return Ok(None) };
    let mut states: std::collections::BTreeMap<String, Vec<String>> = std::collections::BTreeMap::new();
    fn walk(el: &crate::cib::xml::Element, states: &mut std::collections::BTreeMap<String, Vec<String>>) {
        for c in el.elements() {
            if c.name == "resource" {
                let id = c.attr("id").unwrap_or_default().to_string();
                let role =
                    if c.attr("failed") == Some("true") { "FAILED" } else { c.attr("role").unwrap_or("Unknown") };
                let nodes: Vec<&str> =
                    c.elements().filter(|n| n.name == "node").filter_map(|n| n.attr("name")).collect();
                let entry = states.entry(id).or_default();
                if nodes.is_empty() {
                    entry.push(role.to_string());
                } else {
                    entry.extend(nodes.iter().map(|n| format!("{role}@{n}")));
                }
            } else {
                walk(c, states);
            }
        }
    }
    if let Some(res) = xml.child("resources") {
        walk(res, &mut states);
    }
    Ok(Some(
        states
            .into_iter()
            .map(|(k, mut v)| {
                v.sort();
                (k, v.join(", "))
            })
            .collect(),
    ))
}

/// Wait until the cluster has no pending actions (`crm_resource --wait`).
///
/// # Errors
/// The cluster did not settle in time, or the tool cannot be run.
pub async fn wait(target: &Target, seconds: u64) -> Result<(), Error> {
    let timeout = format!("--timeout={seconds}s");
    let cmd = crate::backend::runner::Cmd::new(&["crm_resource", "--wait", &timeout])
        .timeout(std::time::Duration::from_secs(seconds + 15));
    match backend::tool(target, cmd).await? {
        Some(out) if out.code != 0 => Err(Error::Refused {
            message: format!("the cluster did not settle within {seconds} s: {}", out.stderr.trim()),
            help: "the configuration was applied; check `crm_mon -1` for failed or pending actions".into(),
        }),
        _ => Ok(()),
    }
}

/// What changed between two `resource_states` readings, as lines.
pub fn state_changes(
    before: &std::collections::BTreeMap<String, String>,
    after: &std::collections::BTreeMap<String, String>,
) -> Vec<String> {
    let mut keys: Vec<&String> = before.keys().chain(after.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let (b, a) = (before.get(k), after.get(k));
            (b != a).then(|| {
                format!("{k}: {} → {}", b.map_or("(none)", String::as_str), a.map_or("(none)", String::as_str))
            })
        })
        .collect()
}

/// An apply ready to be confirmed: the plan and everything the write is bound to.
#[derive(Debug)]
pub struct Prepared {
    pub target: Target,
    pub plan: Plan,
    pub against: Against,
    pub header: Header,
    /// The configuration the plan was made against.
    pub old: crate::cib::xml::Element,
    pub policy: crate::model::Policy,
    /// The file being applied (none for a saved plan): the target is re-planned against it after
    /// the write, to confirm.
    pub model: Option<Cluster>,
}

impl Prepared {
    /// The policy gates this apply would cross without permission (empty: none).
    pub fn blocked(&self, allow_destroy: bool, allow_disable_stonith: bool) -> Vec<String> {
        gates(&self.plan, &self.old, Some(&self.policy), allow_destroy, allow_disable_stonith)
    }
}

/// Plan a cluster file for applying.
///
/// # Errors
/// As `plan`.
pub async fn prepare(model: Cluster, target: Target, opts: PlanOpts<'_>) -> Result<Prepared, Error> {
    let p = plan(&model, &target, opts).await?;
    let old = p.live.cib.configuration().clone();
    Ok(Prepared {
        plan: p.plan,
        against: p.against,
        header: p.header,
        old,
        policy: model.policy.clone(),
        model: Some(model),
        target,
    })
}

/// Turn a saved plan back into a plan to apply (the check that the target has not moved comes at
/// write time, in `execute`).
///
/// # Errors
/// The plan's configurations are not XML.
pub async fn prepare_saved(doc: PlanDoc, target: Target) -> Result<Prepared, Error> {
    let bad = |e: crate::cib::xml::XmlError| Error::Refused {
        message: format!("the plan's configuration is not valid XML: {}", e.message),
        help: "make the plan again".into(),
    };
    let new = crate::cib::xml::Element::parse(doc.new_configuration.as_deref().unwrap_or_default()).map_err(bad)?;
    let old = match doc.old_configuration.as_deref() {
        Some(t) => crate::cib::xml::Element::parse(t).map_err(bad)?,
        None => backend::read(&target).await?.cib.configuration().clone(),
    };
    let changes = plan::diff(&old, &new);
    let header =
        Header { cluster: doc.cluster.clone(), target: target.to_string(), version: doc.against.version().to_string() };
    let plan = Plan {
        changes,
        warnings: doc.warnings,
        new_config: new,
        corosync: plan::CorosyncPlan::default(),
        preview: doc.transition,
        what_if: Vec::new(),
    };
    Ok(Prepared {
        target,
        plan,
        against: doc.against,
        header,
        old,
        policy: doc.policy.unwrap_or_default(),
        model: None,
    })
}

/// What an apply did.
#[derive(Debug)]
pub struct Applied {
    pub version: crate::cib::Version,
    /// With `--wait`: how resources changed state (`id: before → after`).
    pub moved: Option<Vec<String>>,
    /// The target was re-planned against the file and matches it.
    pub verified: bool,
}

/// Write a prepared apply, optionally wait for the cluster to settle, and confirm.
///
/// # Guarantees
/// As `write_planned`: written only if the target still has the planned-against configuration,
/// as one update. `progress` receives lines to show while waiting.
///
/// # Errors
/// Stale target, write failures, the cluster not settling, or a target that still differs from
/// the file after the write.
pub async fn execute(
    p: &Prepared,
    wait_secs: Option<u64>,
    corosync: Option<&Path>,
    progress: &dyn Fn(&str),
) -> Result<Applied, Error> {
    let before = if wait_secs.is_some() { resource_states(&p.target).await.ok().flatten() } else { None };
    let version = write_planned(&p.target, &p.against, &p.plan.new_config, Some(&p.old)).await?;
    progress(&format!("Applied: CIB is now {version}."));
    let mut moved = None;
    if let Some(seconds) = wait_secs {
        progress(&format!("Waiting up to {seconds} s for the cluster to settle..."));
        wait(&p.target, seconds).await?;
        if let (Some(before), Some(after)) = (before, resource_states(&p.target).await?) {
            moved = Some(state_changes(&before, &after));
        }
    }
    let mut verified = false;
    if let Some(model) = &p.model {
        let again = plan(model, &p.target, PlanOpts { corosync, preview: false, what_if: &[] }).await?;
        if !again.plan.changes.is_empty() {
            return Err(Error::Refused {
                message: format!(
                    "applied, but the target still differs from the file ({} change(s) remain)",
                    again.plan.changes.len()
                ),
                help: "run `cibform plan` to see what Pacemaker changed or refused".into(),
            });
        }
        verified = true;
    }
    Ok(Applied { version, moved, verified })
}
