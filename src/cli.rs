//! The command line: raw arguments → resolved settings → one `ops` call → a printer.
//!
//! Commands are thin. Data goes to stdout, diagnostics and prompts to stderr; colour only on a
//! terminal and never with `NO_COLOR`. Exit codes: 0 success, 1 error or invalid input,
//! 2 changes present (`plan --detailed-exitcode`).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};

use crate::backend::{BackendError, Target};
use crate::diag::{Diag, Rendered};
use crate::error::{Error, ExitStatus};
use crate::ops;
use crate::render::{self, json};

#[derive(Parser, Debug)]
#[command(
    name = "cibform",
    version,
    about = "Cluster-as-code for Pacemaker: plan and apply a YAML description against the CIB"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Markdown,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check a cluster file offline (exit 0 valid, 1 invalid).
    Validate {
        #[arg(default_value = "cluster.yaml")]
        file: PathBuf,
    },
    /// Show what would change to make the target match the file.
    Plan {
        #[arg(default_value = "cluster.yaml")]
        file: PathBuf,
        /// `file:PATH`, `local`, `ssh://[USER@]HOST[:PORT][,HOST...]` or `remote://[USER@]HOST:PORT`;
        /// defaults to `target:` in the file, then to the file's nodes over ssh.
        #[arg(long)]
        target: Option<String>,
        /// Save the plan for `cibform apply PLAN.json`.
        #[arg(long, value_name = "PLAN.json")]
        out: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Exit 0 with no changes, 1 on error, 2 when changes are present.
        #[arg(long)]
        detailed_exitcode: bool,
        /// Compare with this corosync.conf (cluster nodes' own is read otherwise).
        #[arg(long, value_name = "PATH")]
        corosync: Option<PathBuf>,
        /// Do not ask Pacemaker's scheduler (crm_simulate) what the change would do.
        #[arg(long)]
        no_preview: bool,
        /// Also ask what would happen after the change if: `node-down=NODE`, `node-fail=NODE`,
        /// `attr=NODE:NAME=VALUE` (e.g. `attr=t3021cent:pingd=0`, a cut network). Repeatable.
        #[arg(long, value_name = "SCENARIO")]
        what_if: Vec<String>,
    },
    /// Make the change: plan (or read a saved plan), confirm, write it as one update.
    Apply {
        /// A cluster file, or a plan saved with `plan --out`.
        #[arg(default_value = "cluster.yaml")]
        file: PathBuf,
        #[arg(long)]
        target: Option<String>,
        /// Compare with this corosync.conf (cluster nodes' own is read otherwise).
        #[arg(long, value_name = "PATH")]
        corosync: Option<PathBuf>,
        /// Do not ask Pacemaker's scheduler (crm_simulate) what the change would do.
        #[arg(long)]
        no_preview: bool,
        /// Do not ask for confirmation (required without a terminal).
        #[arg(long)]
        auto_approve: bool,
        /// Allow destroying resources that are live but not declared.
        #[arg(long)]
        allow_destroy: bool,
        /// Allow disabling fencing or removing the last fencing device.
        #[arg(long)]
        allow_disable_stonith: bool,
        /// After writing, wait up to SECONDS for the cluster to settle and report what moved.
        #[arg(long, value_name = "SECONDS", num_args = 0..=1, default_missing_value = "120")]
        wait: Option<u64>,
    },
    /// Write the cluster file that describes a target's configuration (adopt an existing cluster).
    Export {
        /// Any target `plan` accepts; cluster nodes also give corosync.conf (addresses, quorum).
        #[arg(long)]
        target: String,
        /// Take node addresses and quorum from this corosync.conf.
        #[arg(long, value_name = "PATH")]
        corosync: Option<PathBuf>,
        /// Write the file here instead of standard output.
        #[arg(short, long, value_name = "cluster.yaml")]
        out: Option<PathBuf>,
        /// The cluster name, when the CIB records no `cluster-name`.
        #[arg(long)]
        cluster: Option<String>,
    },
    /// Print the JSON Schema of the cluster file.
    Schema,
}

/// Run the command line; returns the process exit code.
pub fn main() -> u8 {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return 1;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(status) => status.code(),
        Err(e) => {
            report(&e);
            ExitStatus::Failure.code()
        }
    }
}

fn color_out() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

fn color_err() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

/// Render diagnostics to a string (miette's graphical report; plain when `color` is off).
pub fn render_diags(diags: &[Diag], color: bool) -> String {
    let theme = if color { miette::GraphicalTheme::unicode() } else { miette::GraphicalTheme::unicode_nocolor() };
    let handler = miette::GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut out = String::new();
    for d in diags {
        let _ = handler.render_report(&mut out, &Rendered::new(d));
    }
    out
}

fn report(e: &Error) {
    let mut stderr = std::io::stderr();
    let text = match e {
        Error::Diags(d) => {
            let n = d.iter().filter(|d| d.is_error()).count();
            format!("{}error: {n} problem(s) found\n", render_diags(d, color_err()))
        }
        Error::Backend(BackendError::BadCib { diag, .. }) => render_diags(std::slice::from_ref(diag), color_err()),
        Error::Refused { message, help } => plain(&format!("error: {message}\n  help: {help}\n")),
        Error::Backend(BackendError::WriteFailed { cause, state }) => plain(&format!("error: {cause}\n  {state}\n")),
        Error::Backend(b) => {
            let mut msg = format!("error: {b}");
            let mut src = std::error::Error::source(b);
            while let Some(s) = src {
                msg.push_str(&format!(": {s}"));
                src = s.source();
            }
            msg.push('\n');
            plain(&msg)
        }
    };
    let _ = stderr.write_all(text.as_bytes());
}

/// An error message that may quote input (paths, tool output), made safe for a terminal.
fn plain(s: &str) -> String {
    crate::diag::printable(s, &['\n', '\t'], 20_000)
}

fn resolve_target(flag: Option<&str>, model: Option<&crate::model::Cluster>) -> Result<Target, Error> {
    let from_model = model.and_then(|m| m.target.as_deref());
    let Some(t) = flag.or(from_model) else {
        if let Some(t) = model.and_then(|m| Target::from_nodes(m.nodes.iter().map(|n| n.name.as_str()))) {
            return Ok(t);
        }
        return Err(Error::Refused {
            message: "no target given".into(),
            help: format!("pass `--target` ({}), or write `target:` in the cluster file", crate::backend::TARGET_FORMS),
        });
    };
    Target::parse(t)
        .map_err(|m| Error::Refused { message: m, help: format!("targets: {}", crate::backend::TARGET_FORMS) })
}

fn print(s: &str) {
    let mut out = std::io::stdout().lock();
    // A closed pipe (`cibform plan | head`) is not an error.
    let _ = out.write_all(s.as_bytes());
    let _ = out.flush();
}

fn warn(diags: &[Diag]) {
    if !diags.is_empty() {
        eprint!("{}", render_diags(diags, color_err()));
    }
}

async fn run(cli: Cli) -> Result<ExitStatus, Error> {
    match cli.command {
        Command::Validate { file } => {
            let loaded = ops::load(&file)?;
            warn(&loaded.warnings);
            let m = &loaded.model;
            let prims: usize = m.resources.iter().map(count_primitives).sum();
            eprintln!(
                "`{}` is valid: cluster `{}`, {} node(s), {prims} primitive(s), {} constraint(s)",
                file.display(),
                m.name,
                m.nodes.len(),
                m.constraints.len()
            );
            Ok(ExitStatus::Success)
        }
        Command::Plan { file, target, out, format, detailed_exitcode, corosync, no_preview, what_if } => {
            let loaded = ops::load(&file)?;
            warn(&loaded.warnings);
            let target = resolve_target(target.as_deref(), Some(&loaded.model))?;
            let scenarios = what_if
                .iter()
                .map(|w| crate::preview::Scenario::parse(w))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|m| Error::Refused { message: m, help: "see `cibform plan --help`".into() })?;
            let opts = ops::PlanOpts { corosync: corosync.as_deref(), preview: !no_preview, what_if: &scenarios };
            let planned = ops::plan(&loaded.model, &target, opts).await?;
            match format {
                Format::Text => print(&render::text(&planned.plan, &planned.header, color_out())),
                Format::Markdown => print(&render::markdown(&planned.plan, &planned.header)),
                Format::Json => {
                    let doc = json::doc(&planned.plan, &planned.header, &planned.against, None);
                    print(&(serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"));
                }
            }
            if let Some(path) = out {
                let doc =
                    json::doc(&planned.plan, &planned.header, &planned.against, Some(planned.live.cib.configuration()));
                let doc = json::PlanDoc { policy: Some(loaded.model.policy.clone()), ..doc };
                let text = serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
                std::fs::write(&path, text).map_err(|e| Error::Refused {
                    message: format!("cannot write `{}`: {e}", path.display()),
                    help: "check the directory exists and is writable".into(),
                })?;
                eprintln!("saved the plan to `{}`; apply it with `cibform apply {}`", path.display(), path.display());
            }
            Ok(if detailed_exitcode && !planned.plan.is_empty() { ExitStatus::Changes } else { ExitStatus::Success })
        }
        Command::Apply {
            file,
            target,
            corosync,
            no_preview,
            auto_approve,
            allow_destroy,
            allow_disable_stonith,
            wait,
        } => {
            let gates = Gates { auto_approve, allow_destroy, allow_disable_stonith };
            apply(&file, target.as_deref(), corosync.as_deref(), !no_preview, gates, wait).await
        }
        Command::Export { target, out, cluster, corosync } => {
            let target = resolve_target(Some(&target), None)?;
            let opts = crate::export::Options { cluster, ..Default::default() };
            let (text, notes) = ops::export(&target, &opts, corosync.as_deref()).await?;
            for n in &notes {
                eprintln!("note: {n}");
            }
            match out {
                Some(path) => {
                    std::fs::write(&path, &text).map_err(|e| Error::Refused {
                        message: format!("cannot write `{}`: {e}", path.display()),
                        help: "check the directory exists and is writable".into(),
                    })?;
                    eprintln!("wrote `{}`", path.display());
                }
                None => print(&text),
            }
            Ok(ExitStatus::Success)
        }
        Command::Schema => {
            print(&crate::schema_json());
            Ok(ExitStatus::Success)
        }
    }
}

fn count_primitives(r: &crate::model::Resource) -> usize {
    match r {
        crate::model::Resource::Primitive(_) => 1,
        crate::model::Resource::Group(g) => g.members.len(),
        crate::model::Resource::Clone(c) => count_primitives(&c.child),
    }
}

fn is_saved_plan(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "json")
}

fn confirm(auto_approve: bool) -> Result<(), Error> {
    if auto_approve {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(Error::Refused {
            message: "refusing to apply without confirmation: standard input is not a terminal".into(),
            help: "review the plan and pass --auto-approve to apply non-interactively".into(),
        });
    }
    eprint!("\nDo you want to perform these actions? Only `yes` will be accepted.\n  Enter a value: ");
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
    if line.trim() == "yes" {
        Ok(())
    } else {
        Err(Error::Refused { message: "apply cancelled".into(), help: "nothing was changed".into() })
    }
}

/// What the admin allowed on the command line.
#[derive(Debug, Clone, Copy)]
struct Gates {
    auto_approve: bool,
    allow_destroy: bool,
    allow_disable_stonith: bool,
}

async fn apply(
    file: &Path,
    target: Option<&str>,
    corosync: Option<&Path>,
    preview: bool,
    gates: Gates,
    wait: Option<u64>,
) -> Result<ExitStatus, Error> {
    let Gates { auto_approve, allow_destroy, allow_disable_stonith } = gates;
    let prepared = if is_saved_plan(file) {
        let doc = ops::read_saved_plan(file)?;
        let target = resolve_target(Some(target.unwrap_or(&doc.target)), None)?;
        ops::prepare_saved(doc, target).await?
    } else {
        let loaded = ops::load(file)?;
        warn(&loaded.warnings);
        let target = resolve_target(target, Some(&loaded.model))?;
        ops::prepare(loaded.model, target, ops::PlanOpts { corosync, preview, what_if: &[] }).await?
    };
    print(&render::text(&prepared.plan, &prepared.header, color_out()));
    if prepared.plan.changes.is_empty() {
        // Nothing to write to the CIB (corosync.conf differences, if any, are shown above).
        return Ok(ExitStatus::Success);
    }
    let blocked = prepared.blocked(allow_destroy, allow_disable_stonith);
    if !blocked.is_empty() {
        return Err(Error::Refused {
            message: format!("apply blocked by {} policy gate(s): {}", blocked.len(), blocked.join("; ")),
            help: "nothing was changed".into(),
        });
    }
    confirm(auto_approve)?;
    let applied = ops::execute(&prepared, wait, corosync, &|line| eprintln!("{line}")).await?;
    if let Some(moved) = applied.moved {
        if moved.is_empty() {
            eprintln!("Settled: no resource changed state.");
        } else {
            eprintln!("Settled. What Pacemaker did:");
            for m in moved {
                eprintln!("  {m}");
            }
        }
    }
    if applied.verified {
        eprintln!("Verified: the target now matches the file.");
    }
    Ok(ExitStatus::Success)
}
