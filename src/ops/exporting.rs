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
            return Err(Error::ExportInexact { target: target.to_string(), plan });
        }
    }
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
