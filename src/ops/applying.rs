//! Applying: policy gates, saved plans, the guarded write, waiting for the cluster and verifying.

use super::*;

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
    if !(allow_disable_stonith || policy.allow_disable_stonith) {
        let (old, new) = (Fencing::of(old), Fencing::of(&plan.new_config));
        if old.enabled && !new.enabled {
            blocked.push("the plan disables fencing (stonith-enabled=false): pass --allow-disable-stonith (or set `policy: { allow_disable_stonith: true }`)".into());
        } else if new.enabled && old.has_device && !new.has_device {
            blocked.push("the plan removes the last fencing device: pass --allow-disable-stonith (or set `policy: { allow_disable_stonith: true }`)".into());
        }
    }
    blocked
}

/// What a configuration says about fencing, read from one pass over its views.
struct Fencing {
    /// `stonith-enabled` is not false (Pacemaker's default is true).
    enabled: bool,
    /// At least one `stonith:` primitive.
    has_device: bool,
}

impl Fencing {
    fn of(config: &crate::cib::xml::Element) -> Fencing {
        let mut f = Fencing { enabled: true, has_device: false };
        for (k, v) in plan::view::views(config) {
            let value = |name: &str| v.iter().find(|(a, _)| a == name).map(|(_, val)| val.as_str());
            if k.kind == "properties" {
                let on = value("stonith-enabled").map(str::to_ascii_lowercase);
                f.enabled = !matches!(on.as_deref(), Some("false" | "no" | "off" | "0" | "n"));
            } else if k.kind == "primitive" && value("agent").is_some_and(|a| a.starts_with("stonith:")) {
                f.has_device = true;
            }
        }
        f
    }
}

/// Write a planned configuration.
///
/// # Guarantees
/// Writes only if the target's configuration is still the one planned against (digest match,
/// checked by the backend on the CIB it reads for the write); the write is one atomic update.
///
/// # Errors
/// Stale target (nothing written, the error shows what changed), I/O errors.
pub async fn write_planned(
    target: &Target,
    against: &Against,
    new_config: &crate::cib::xml::Element,
    old_config: Option<&crate::cib::xml::Element>,
) -> Result<crate::cib::Version, Error> {
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
    let text = crate::input::read_text_capped(path, crate::input::MAX_PLAN_BYTES).map_err(|e| Error::Refused {
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
