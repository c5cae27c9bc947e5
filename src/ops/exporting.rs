//! Export: a CIB (and corosync.conf) as a cluster file that plans to zero changes against it.

use super::*;

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
        let model = match check_exported(&src, &raw) {
            Ok(model) => model,
            Err(diags) if waive(&diags, &raw, &mut opts) => continue,
            Err(diags) => return Err(Error::Diags(diags)),
        };
        let (plan, header) = plan_against(&model, live, target, &defaults)?;
        if plan.is_empty() {
            let mut notes = ex.notes;
            notes.extend(waiver_notes_for_export(&opts));
            return Ok((text, notes));
        }
        let before = opts.force_raw.len();
        for (key, why) in crate::export::raw_keys(&plan, live.cib.configuration()) {
            opts.force_raw.entry(key).or_insert(why);
        }
        if opts.force_raw.len() == before {
            let plan = crate::render::text(&plan, &header, false);
            return Err(Error::ExportInexact { target: target.to_string(), plan });
        }
    }
}

/// The exported file checked as `cibform validate` checks it (metadata from the snapshot).
fn check_exported(src: &Source, raw: &crate::config::raw::RawCluster) -> Result<Cluster, Vec<Diag>> {
    use crate::validate::agents;
    let (model, _) = crate::validate::validate(src, raw)?;
    let diags = agents::check(src, raw, &agents::Catalog::offline(&agents::agents(raw)));
    if diags.iter().any(Diag::is_error) {
        return Err(diags);
    }
    Ok(model)
}

/// The CIB holds what the metadata refuses: export it as it is, waived (`force: true` on the
/// primitive a finding is in, else `policy.allow_unknown_params`). Whether anything changed.
fn waive(diags: &[Diag], raw: &crate::config::raw::RawCluster, opts: &mut crate::export::Options) -> bool {
    let before = (opts.force.len(), opts.allow_unknown);
    for d in diags.iter().filter(|d| d.is_error()) {
        if !crate::validate::forced::waivable(d) {
            return false;
        }
        let at = d.labels.first().map_or(0, |(s, _)| s.offset);
        match primitive_at(raw, at) {
            Some(id) => {
                opts.force.insert(id.value.clone());
            }
            None => opts.allow_unknown = true,
        }
    }
    before != (opts.force.len(), opts.allow_unknown)
}

/// The primitive whose entry holds byte `at` of an exported file. Export writes `resources`
/// before `groups`, `clones`, `constraints` and `raw`, so the entry is the last one starting at or
/// before `at`, unless a later section has started.
fn primitive_at(raw: &crate::config::raw::RawCluster, at: usize) -> Option<&crate::config::raw::S<String>> {
    let later = raw
        .groups
        .iter()
        .map(|(k, _)| k.span.offset)
        .chain(raw.clones.iter().map(|(k, _)| k.span.offset))
        .chain(raw.constraints.iter().map(|c| c.span.offset))
        .chain(raw.raw.iter().map(|r| r.span.offset))
        .filter(|o| *o > raw.resources.iter().map(|(k, _)| k.span.offset).max().unwrap_or(0))
        .min()
        .unwrap_or(usize::MAX);
    if at >= later {
        return None;
    }
    raw.resources.iter().map(|(k, _)| k).filter(|k| k.span.offset <= at).max_by_key(|k| k.span.offset)
}

fn waiver_notes_for_export(opts: &crate::export::Options) -> Vec<String> {
    let mut notes = Vec::new();
    if !opts.force.is_empty() {
        let mut ids: Vec<String> = opts.force.iter().map(|i| format!("`{i}`")).collect();
        ids.sort();
        notes.push(format!(
            "{} hold(s) what the agent's metadata refuses: written with `force: true` (`cibform validate` shows why)",
            ids.join(", ")
        ));
    }
    if opts.allow_unknown {
        notes.push("the CIB holds what Pacemaker's metadata refuses: wrote `policy: { allow_unknown_params: true }` (`cibform validate` shows why)".into());
    }
    notes
}

/// Read the target and export it (see `export_live`).
///
/// # Errors
/// The target cannot be read, or the export does not describe it exactly.
pub async fn export(
    backend: &Backend,
    opts: &crate::export::Options,
    corosync: Option<&Path>,
) -> Result<(String, Vec<String>), Error> {
    let live = read(backend, corosync).await?;
    export_live(&live, &backend.target, opts)
}
