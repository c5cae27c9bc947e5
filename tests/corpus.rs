//! The round-trip proof on Pacemaker's own scheduler regression CIBs: for every file, export →
//! load and validate the YAML → plan it against the same CIB → zero changes; and the same file
//! planned against the CIB without its resources creates every primitive with the operations it has (export
//! leaves out the agent's defaults, and only those).
//!
//! The corpus is `tests/corpus/cib-corpus.tar.zst` (read in memory by `common::corpus`).

mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

use cibform::backend::{Live, Target};
use cibform::cib::Cib;
use cibform::export::Options;
use cibform::validate::agents;
use common::corpus;

/// What happened to one file.
enum Outcome {
    /// Exported and planned to zero changes; the notes of the objects that went through the
    /// escape hatch, and how many of the CIB's objects (as the plan counts them) the file holds
    /// natively and as raw XML.
    RoundTrip { raw: Vec<String>, objects: Objects },
    /// A clean error (bad CIB, or export refused) with its message.
    Error(String),
    /// A panic: never acceptable.
    Panic(String),
}

/// How many of a CIB's objects (`plan::view::views`: properties, each node, each resource at any
/// depth, each constraint, each other section) the exported file holds natively and as `raw:`.
#[derive(Default, Clone, Copy)]
struct Objects {
    native: usize,
    raw: usize,
}

fn count_objects(config: &cibform::cib::xml::Element, model: &cibform::model::Cluster) -> Objects {
    use cibform::cib::xml::Element;
    use cibform::model::RawPlace;
    let total = cibform::plan::view::views(config).len();
    let raw: usize = model
        .raw
        .iter()
        .map(|r| {
            let section = match r.place {
                RawPlace::PropertySet => "crm_config",
                RawPlace::Node => "nodes",
                RawPlace::Resource => "resources",
                RawPlace::Constraint => "constraints",
                RawPlace::Section => "",
            };
            let wrapped = if section.is_empty() {
                Element::new("configuration").with_child(r.element.clone())
            } else {
                Element::new("configuration").with_child(Element::new(section).with_child(r.element.clone()))
            };
            // A raw property set is one of the plain properties' object's sets: count it once.
            cibform::plan::view::views(&wrapped).len().max(1)
        })
        .sum();
    Objects { native: total.saturating_sub(raw), raw }
}

fn run(name: &str, text: &str) -> Outcome {
    let result = catch_unwind(AssertUnwindSafe(|| -> Result<(Vec<String>, Objects), String> {
        let cib = Cib::parse(name, text).map_err(|d| d.message.clone())?;
        let live = Live { name: name.to_string(), cib, corosync: None };
        let target = Target::File(PathBuf::from(name));
        let (yaml, notes) = cibform::ops::export_live(&live, &target, &Options::default()).map_err(|e| match e {
            e @ cibform::error::Error::ExportInexact { .. } => format!("{e}\n{}", e.help().unwrap_or_default()),
            cibform::error::Error::Diags(d) => {
                d.iter().map(|d| format!("{}: {} {:?}", d.code, d.message, d.location())).collect::<Vec<_>>().join("\n")
            }
            other => other.to_string(),
        })?;
        // Independently of export's own check: load the text like a user's file and plan it.
        let (src, raw) = cibform::config::parse("exported.yaml", yaml.as_bytes()).map_err(|d| d.message)?;
        let (model, _) = cibform::validate::validate(&src, &raw)
            .map_err(|d| format!("exported file does not validate: {}", d[0].message))?;
        // And against the agents' metadata, as `cibform validate` checks it (the snapshot).
        let catalog = agents::Catalog::offline(&agents::agents(&raw));
        if let Some(d) = agents::check(&src, &raw, &catalog).into_iter().find(|d| d.is_error()) {
            return Err(format!("exported file fails the agent checks: {} {:?}", d.message, d.location()));
        }
        let defaults = cibform::desired::builtin_default_ops();
        let planned = cibform::ops::plan_live(&model, live.clone(), &target, &defaults).map_err(|e| e.to_string())?;
        if !planned.plan.is_empty() {
            return Err(format!("plans changes:\n{}", cibform::render::text(&planned.plan, &planned.header, false)));
        }
        // The same CIB without its resources: every primitive is created from the file.
        let mut bare = live.cib.configuration().clone();
        if let Some(r) = bare.child_mut("resources") {
            r.children.clear();
        }
        let empty = Live { cib: live.cib.with_configuration(bare), ..live };
        let created = cibform::ops::plan_live(&model, empty, &target, &defaults).map_err(|e| e.to_string())?;
        let (had, made) = (op_lines(planned.live.cib.configuration()), op_lines(&created.plan.new_config));
        if let Some((id, ops)) = had.iter().find(|(id, ops)| made.get(*id) != Some(*ops)) {
            return Err(format!("`{id}` is created with {:?}, not {ops:?}", made.get(id)));
        }
        let objects = count_objects(planned.live.cib.configuration(), &model);
        Ok((notes.into_iter().filter(|n| n.contains("raw XML") || n.contains("metadata refuses")).collect(), objects))
    }));
    match result {
        Ok(Ok((raw, objects))) => Outcome::RoundTrip { raw, objects },
        Ok(Err(m)) => Outcome::Error(m),
        Err(p) => Outcome::Panic(
            p.downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default(),
        ),
    }
}

/// Every primitive's operations as the plan compares them, by id.
fn op_lines(config: &cibform::cib::xml::Element) -> std::collections::BTreeMap<String, Vec<(String, String)>> {
    cibform::plan::view::views(config)
        .into_iter()
        .filter(|(k, _)| k.kind == "primitive")
        .map(|(k, v)| (k.id, v.into_iter().filter(|(key, _)| key.starts_with("op ")).collect()))
        .collect()
}

/// Every file round-trips: none is refused, even those Pacemaker's own `crm_verify` reports
/// errors for (the corpus tests the scheduler, not only valid configurations).
#[test]
fn every_corpus_cib_round_trips() {
    let files = corpus::cibs();
    let (mut ok, mut raw_objects, mut with_raw, mut waived) = (0, 0, 0, 0);
    let mut objects = Objects::default();
    let mut failures = Vec::new();
    let mut reasons = std::collections::BTreeMap::new();
    for f in files {
        match run(&f.name, &f.text) {
            Outcome::RoundTrip { raw, objects: o } => {
                ok += 1;
                objects.native += o.native;
                objects.raw += o.raw;
                let (waivers, raw): (Vec<String>, Vec<String>) =
                    raw.into_iter().partition(|n| n.contains("metadata refuses"));
                waived += usize::from(!waivers.is_empty());
                raw_objects += raw.len();
                with_raw += usize::from(!raw.is_empty());
                for note in raw {
                    // `<kind id="x">` written as raw XML: why → `<kind>: why`, ids dropped.
                    let kind = note.split_whitespace().next().unwrap_or_default().trim_start_matches("`<").to_string();
                    let why = note.split_once("raw XML: ").map_or("", |(_, w)| w);
                    let why: String =
                        why.split('`').enumerate().map(|(i, p)| if i % 2 == 1 { "…" } else { p }).collect();
                    *reasons.entry(format!("<{kind}> {why}")).or_insert(0usize) += 1;
                }
            }
            Outcome::Error(m) => failures.push((f.name.as_str(), m)),
            Outcome::Panic(m) => failures.push((f.name.as_str(), format!("PANIC: {m}"))),
        }
    }
    eprintln!("{ok} of {} round-trip; {raw_objects} objects in {with_raw} files went through `raw:`", files.len());
    eprintln!(
        "of their {} objects (as the plan counts them), {} are written natively and {} as `raw:` ({:.1}% native)",
        objects.native + objects.raw,
        objects.native,
        objects.raw,
        100.0 * objects.native as f64 / (objects.native + objects.raw).max(1) as f64
    );
    eprintln!(
        "{waived} files hold what the metadata refuses (exported with `force: true` or `policy.allow_unknown_params`)"
    );
    let fallback: usize = reasons.iter().filter(|(k, _)| k.contains("would plan a change")).map(|(_, v)| v).sum();
    eprintln!("{fallback} of them only because the plan check found their native form inexact");
    let mut reasons: Vec<(usize, String)> = reasons.into_iter().map(|(k, v)| (v, k)).collect();
    reasons.sort_by(|a, b| b.cmp(a));
    eprintln!("why objects went through `raw:` (most frequent first):");
    for (n, why) in reasons.iter().take(25) {
        eprintln!("  {n:5}  {why}");
    }
    for (f, m) in failures.iter().take(5) {
        eprintln!("--- {f}\n{m}");
    }
    assert!(
        failures.is_empty(),
        "{} file(s) do not round-trip: {:?}",
        failures.len(),
        failures.iter().map(|(f, _)| *f).collect::<Vec<_>>()
    );
}
