//! Applying: policy gates, saved plans, the guarded write, waiting for the cluster and verifying.

use super::*;

/// Gates that block `apply` unless explicitly allowed; each entry says which flag opens it, and,
/// when `policy_hint` (a cluster file, not a saved plan), which `policy:` setting too.
pub fn gates(
    plan: &Plan,
    old: &crate::cib::xml::Element,
    model_policy: Option<&crate::model::Policy>,
    (allow_destroy, allow_disable_stonith): (bool, bool),
    policy_hint: bool,
) -> Vec<String> {
    let policy = model_policy.cloned().unwrap_or_default();
    let or_policy =
        |setting: &str| if policy_hint { format!(" (or set `policy: {{ {setting}: true }}`)") } else { String::new() };
    let mut blocked = Vec::new();
    let destroyed: Vec<String> = plan
        .changes
        .iter()
        .filter(|c| c.action == Action::Destroy && c.key.section == plan::view::Section::Resources)
        .map(|c| format!("`{}`", c.key.id))
        .collect();
    if !(destroyed.is_empty() || allow_destroy || policy.allow_destroy) {
        blocked.push(format!(
            "the plan destroys {}: pass --allow-destroy{}",
            destroyed.join(", "),
            or_policy("allow_destroy")
        ));
    }
    if !(allow_disable_stonith || policy.allow_disable_stonith) {
        let (old, new) = (Fencing::of(old), Fencing::of(&plan.new_config));
        if old.enabled && !new.enabled {
            let hint = or_policy("allow_disable_stonith");
            blocked
                .push(format!("the plan disables fencing (stonith-enabled=false): pass --allow-disable-stonith{hint}"));
        } else if new.enabled && old.has_device && !new.has_device {
            let hint = or_policy("allow_disable_stonith");
            blocked
                .push(format!("the plan removes or stops the last fencing device: pass --allow-disable-stonith{hint}"));
        }
    }
    blocked
}

/// The gate on nodes leaving the cluster: a node taken out of the file is stopped and removed
/// from corosync and Pacemaker, which destroys more than a resource does, so it needs
/// `--allow-destroy` (or the file's `policy: { allow_destroy: true }`) as a destroyed resource does.
pub fn leaving_gate(leaving: &[String], allow_destroy: bool, policy: &crate::model::Policy) -> Option<String> {
    if leaving.is_empty() || allow_destroy || policy.allow_destroy {
        return None;
    }
    let nodes: Vec<String> = leaving.iter().map(|n| format!("`{n}`")).collect();
    Some(format!(
        "the plan removes {} from the cluster (stopped, then taken out of corosync and Pacemaker): pass --allow-destroy (or set `policy: {{ allow_destroy: true }}`)",
        nodes.join(", ")
    ))
}

/// What a configuration says about fencing, judged on everything Pacemaker may take it from.
struct Fencing {
    /// No `cluster_property_set` sets `stonith-enabled` (or `fencing-enabled`) false. Every set
    /// counts (plain, scored, with a rule, native or raw): whichever may be in effect could turn
    /// fencing off.
    enabled: bool,
    /// At least one `stonith` primitive, anywhere in `resources`, not stopped by its own, an
    /// enclosing resource's or the resource defaults' `target-role` (every `rsc_defaults` set
    /// counts, as for `enabled`).
    has_device: bool,
}

impl Fencing {
    fn of(config: &crate::cib::xml::Element) -> Fencing {
        let settings = config
            .child("crm_config")
            .into_iter()
            .flat_map(|c| c.elements().filter(|s| s.name == "cluster_property_set"))
            .flat_map(|s| s.elements().filter(|nv| nv.name == "nvpair"));
        let enabled = !settings
            // Pacemaker 3.0.2 renamed it `fencing-enabled`: either name may turn fencing off.
            .filter(|nv| matches!(nv.attr("name"), Some("stonith-enabled" | "fencing-enabled")))
            .any(|nv| nv.attr("value").is_some_and(crate::vocab::is_false));
        let by_default = config.child("rsc_defaults").and_then(role_stopped).unwrap_or(false);
        let templates: Templates<'_> = config
            .child("resources")
            .into_iter()
            .flat_map(|r| r.elements().filter(|t| t.name == "template"))
            .filter_map(|t| Some((t.id()?, t)))
            .collect();
        let roles = Roles { above: false, inherited: None, by_default, templates: &templates };
        let has_device = config.child("resources").is_some_and(|r| running_device(r, roles));
        Fencing { enabled, has_device }
    }
}

/// `Some(true)` when `el`'s own meta attributes set `target-role` to Stopped, `Some(false)` when
/// they set another role, `None` when they set none.
fn role_stopped(el: &crate::cib::xml::Element) -> Option<bool> {
    let mut roles = el
        .elements()
        .filter(|m| m.name == "meta_attributes")
        .flat_map(|m| m.elements())
        .filter(|nv| nv.attr("name") == Some("target-role"))
        .map(|nv| nv.attr("value").is_some_and(|v| v.eq_ignore_ascii_case("stopped")))
        .peekable();
    roles.peek()?;
    Some(roles.any(|s| s))
}

/// The resource templates by id: a primitive made from one takes its class and its meta
/// attributes from it (its own meta win).
type Templates<'a> = std::collections::HashMap<&'a str, &'a crate::cib::xml::Element>;

/// The `target-role`s in force around a resource: an enclosing resource stopped (which stops
/// what it holds whatever they say), the role it passes down, the resource defaults' one; and
/// the templates resources may be made from.
#[derive(Clone, Copy)]
struct Roles<'a> {
    above: bool,
    inherited: Option<bool>,
    by_default: bool,
    templates: &'a Templates<'a>,
}

/// Whether `el` is or holds a fencing device that is not stopped.
fn running_device(el: &crate::cib::xml::Element, roles: Roles<'_>) -> bool {
    let template = el.attr("template").and_then(|t| roles.templates.get(t));
    let own = role_stopped(el).or_else(|| template.and_then(|t| role_stopped(t)));
    let inherited = own.or(roles.inherited);
    let stopped = roles.above || own == Some(true) || inherited.unwrap_or(roles.by_default);
    let below = Roles { above: roles.above || own == Some(true), inherited, ..roles };
    let class = el.attr("class").or_else(|| template.and_then(|t| t.attr("class")));
    (el.name == "primitive" && class == Some("stonith") && !stopped) || el.elements().any(|c| running_device(c, below))
}

/// Write a planned configuration.
///
/// # Guarantees
/// Writes only if the target's configuration is still the one planned against (digest match,
/// checked by the backend on the CIB it reads for the write); the write is one atomic update.
///
/// # Errors
/// `Stale` (nothing written; it carries what changed since `old_config`), backend errors.
pub async fn write_planned(
    backend: &Backend,
    basis: &Basis,
    new_config: &crate::cib::xml::Element,
    old_config: &crate::cib::xml::Element,
    sensitive: &[String],
) -> Result<crate::cib::Version, Error> {
    match backend.write(basis, new_config).await {
        Ok(v) => Ok(v),
        Err(BackendError::Stale { current, .. }) => Err(stale(basis, &current, old_config, sensitive)),
        Err(e) => Err(e.into()),
    }
}

/// The refusal of a plan whose basis is no longer the target's configuration.
fn stale(basis: &Basis, current: &Cib, old_config: &crate::cib::xml::Element, sensitive: &[String]) -> Error {
    let now = current.version().unwrap_or(basis.version);
    let changes = plan::diff(old_config, current.configuration());
    Error::Stale { planned: basis.version, now, changes, sensitive: sensitive.to_vec() }
}

/// Read a saved plan: a bounded read, then `planfile::read`'s checks.
///
/// # Errors
/// Unreadable, too large, or not a usable plan (`Error::PlanFile`).
pub fn read_saved_plan(path: &Path) -> Result<crate::planfile::SavedPlan, Error> {
    let name = path.display().to_string();
    let text = crate::input::read_text_capped(path, crate::input::MAX_PLAN_BYTES).map_err(|source| Error::File {
        action: "read",
        path: name.clone(),
        source,
    })?;
    crate::planfile::read(&text).map_err(|problem| Error::PlanFile { path: name, problem })
}

/// Where each resource runs, from `crm_mon`: id → `Role@node, ...` (sorted). `None` for targets
/// without a running cluster (files).
///
/// # Errors
/// `crm_mon` cannot be run.
pub async fn resource_states(backend: &Backend) -> Result<Option<std::collections::BTreeMap<String, String>>, Error> {
    let cmd = crate::command::Cmd::new(&["crm_mon", "-1", "--output-as=xml"]);
    let Some(out) = backend.query(cmd).await? else { return Ok(None) };
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
pub async fn wait(backend: &Backend, seconds: u64) -> Result<(), Error> {
    let timeout = format!("--timeout={seconds}s");
    let cmd = crate::command::Cmd::new(&["crm_resource", "--wait", &timeout])
        .timeout(std::time::Duration::from_secs(seconds.saturating_add(15)));
    match backend.query(cmd).await? {
        Some(out) if out.code != 0 => Err(Error::NotSettled { seconds, detail: out.stderr.trim().to_string() }),
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
    pub backend: Backend,
    pub plan: Plan,
    pub basis: Basis,
    pub header: Header,
    /// The CIB the plan was made against (its configuration is the basis; its status is what
    /// crm_verify judges the new configuration with).
    pub live: Cib,
    pub policy: crate::model::Policy,
    /// The file being applied (none for a saved plan): the target is re-planned against it after
    /// the write, to confirm.
    pub model: Option<Cluster>,
    /// The corosync.conf the plan was made against (none for a saved plan).
    pub corosync: Option<crate::backend::ConfText>,
    /// crm_verify's verdict on the new CIB, made in this run against this basis (none for a
    /// saved plan, or when it was not run).
    pub verdict: Option<crate::backend::verify::Verdict>,
}

impl Prepared {
    /// The policy gates this apply would cross without permission (empty: none).
    pub fn blocked(&self, allow_destroy: bool, allow_disable_stonith: bool) -> Vec<String> {
        let flags = (allow_destroy, allow_disable_stonith);
        gates(&self.plan, self.live.configuration(), Some(&self.policy), flags, self.model.is_some())
    }

    /// The gates that only the policy opens (no flag): said on stderr, so that a gate crossed
    /// because of a `policy:` — the file's, or one recorded in (or edited into) a saved plan — is
    /// never crossed silently.
    pub fn opened_by_policy(&self, allow_destroy: bool, allow_disable_stonith: bool) -> Vec<String> {
        let flags = (allow_destroy, allow_disable_stonith);
        let closed = gates(&self.plan, self.live.configuration(), None, flags, self.model.is_some());
        let blocked = self.blocked(allow_destroy, allow_disable_stonith);
        closed.into_iter().filter(|g| !blocked.contains(g)).collect()
    }
}

/// Plan a cluster file for applying.
///
/// # Errors
/// As `plan`.
pub async fn prepare(model: Cluster, backend: Backend, opts: PlanOpts<'_>) -> Result<Prepared, Error> {
    let p = plan(&model, &backend, opts).await?;
    Ok(Prepared {
        plan: p.plan,
        basis: p.basis,
        header: p.header,
        live: p.live.cib,
        policy: model.policy.clone(),
        model: Some(model),
        corosync: p.live.corosync,
        verdict: p.verdict,
        backend,
    })
}

/// Turn a saved plan into an apply against the target as it is now.
///
/// The saved plan is untrusted: the target's configuration must still be the recorded one
/// (else `Stale`, with what changed), and the changes are recomputed from it and the plan's
/// new configuration and must be exactly the ones the plan lists (else `PlanFile`). The gates
/// then judge the recomputed plan.
///
/// # Errors
/// The target cannot be read, has moved, or the plan's changes are not what it would do.
pub async fn prepare_saved(
    saved: crate::planfile::SavedPlan,
    path: &Path,
    backend: Backend,
) -> Result<Prepared, Error> {
    let live = backend.read().await?;
    let basis = saved.doc.against.clone();
    if live.cib.config_digest() != basis.config_digest {
        return Err(stale(&basis, &live.cib, &saved.old, &saved.policy.sensitive));
    }
    let header = Header {
        cluster: saved.doc.cluster.clone(),
        target: backend.target.to_string(),
        version: basis.version.to_string(),
        sensitive: saved.policy.sensitive.clone(),
    };
    let plan = saved
        .check(live.cib.configuration(), &header)
        .map_err(|problem| Error::PlanFile { path: path.display().to_string(), problem })?;
    Ok(Prepared {
        backend,
        plan,
        basis,
        header,
        live: live.cib,
        policy: saved.policy,
        model: None,
        corosync: None,
        verdict: None,
    })
}

/// A CIB file has no cluster to refuse a CIB Pacemaker would reject, so this host's crm_verify
/// stands in (when host tools are allowed): errors refuse the write, warnings are shown, and an
/// apply it could not check says so.
///
/// # Errors
/// `Rejected`, with crm_verify's words; nothing is written.
async fn verify_file_write(p: &Prepared, progress: &dyn Fn(&str)) -> Result<(), Error> {
    use crate::backend::verify::{self, Verdict};
    if !p.backend.crm_verify {
        progress(&format!("note: {}", super::planning::NOT_VERIFIED));
        return Ok(());
    }
    let new = p.live.with_configuration(p.plan.new_config.clone());
    let out = match p.backend.offline(verify::command(&new)).await {
        Ok(Some((out, _))) => out,
        Ok(None) => {
            progress("note: the new CIB was not checked with crm_verify (--no-host-tools)");
            return Ok(());
        }
        Err(e) => {
            progress(&format!("note: the new CIB was not checked with crm_verify: {e}"));
            return Ok(());
        }
    };
    match verify::judge(&out) {
        Verdict::Errors(output) => Err(BackendError::Rejected { place: "this host".into(), output }.into()),
        Verdict::Warnings(words) => {
            words.iter().for_each(|w| progress(&format!("note: crm_verify: {w}")));
            Ok(())
        }
        Verdict::Clean { .. } => Ok(()),
    }
}

/// The backend that writes a prepared apply. crm_verify judges the whole new CIB, which takes
/// seconds on a large cluster (11 s at 10,000 primitives): when it already judged this new
/// configuration in this run, against the configuration the write is bound to (the write sends
/// nothing unless the target still holds exactly that one), it is not asked again, and its
/// refusal refuses the write at once. A saved plan, made by another process, is checked again.
///
/// # Errors
/// `Rejected`, with crm_verify's words from the plan; nothing is written.
fn writer(p: &Prepared) -> Result<Backend, Error> {
    use crate::backend::verify::Verdict;
    match &p.verdict {
        Some(Verdict::Errors(output)) => {
            Err(BackendError::Rejected { place: p.backend.target.to_string(), output: output.clone() }.into())
        }
        Some(Verdict::Clean { .. } | Verdict::Warnings(_)) => Ok(p.backend.clone().with_crm_verify(false)),
        None => Ok(p.backend.clone()),
    }
}

/// Read the target back after the write: a cluster file being applied is re-planned against it;
/// a saved plan's new configuration must be what the target now holds.
///
/// # Errors
/// `Unverified` when the target differs (and why); `Unconfirmed` when it cannot be read back.
async fn confirm(p: &Prepared, version: crate::cib::Version, corosync: Option<&Path>) -> Result<(), Error> {
    let after = |e: Error| Error::after_write(version, e);
    let (now, remaining) = match &p.model {
        Some(model) => {
            let again = plan(model, &p.backend, PlanOpts { corosync, ..PlanOpts::default() }).await.map_err(after)?;
            let remaining = again.plan.changes.len();
            (again.live.cib, remaining)
        }
        None => {
            let live = p.backend.read().await.map_err(|e| after(e.into()))?;
            let remaining = plan::diff(&p.plan.new_config, live.cib.configuration()).len();
            (live.cib, remaining)
        }
    };
    match remaining {
        0 => Ok(()),
        n => Err(unverified(version, &p.plan.new_config, &now, n, &p.header.sensitive)),
    }
}

/// What an apply did.
#[derive(Debug)]
pub struct Applied {
    pub version: crate::cib::Version,
    /// With `--wait`: how resources changed state (`id: before → after`).
    pub moved: Option<Vec<String>>,
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
    let before = if wait_secs.is_some() { resource_states(&p.backend).await.ok().flatten() } else { None };
    if matches!(p.backend.target, Target::File(_)) {
        verify_file_write(p, progress).await?;
    }
    let old = p.live.configuration();
    let backend = writer(p)?;
    let version = write_planned(&backend, &p.basis, &p.plan.new_config, old, &p.header.sensitive).await?;
    progress(&format!("Applied: CIB is now {version}."));
    let after = |e: Error| Error::after_write(version, e);
    let mut moved = None;
    if let Some(seconds) = wait_secs {
        progress(&format!("Waiting up to {seconds} s for the cluster to settle..."));
        wait(&p.backend, seconds).await.map_err(after)?;
        if let (Some(before), Some(now)) = (before, resource_states(&p.backend).await.map_err(after)?) {
            moved = Some(state_changes(&before, &now));
        }
    }
    confirm(p, version, corosync).await?;
    Ok(Applied { version, moved })
}
