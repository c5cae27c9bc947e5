//! The command line: raw arguments → resolved settings → one `ops` call → a printer.
//!
//! Commands are thin. Data goes to stdout, diagnostics and prompts to stderr; colour only on a
//! terminal and never with `NO_COLOR`. Exit codes: 0 success, 1 error or invalid input,
//! 2 changes present (`plan --detailed-exitcode`).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};

use crate::backend::{Backend, BackendError, Target};
use crate::diag::{Diag, Rendered};
use crate::error::{Error, ExitStatus};
use crate::fsutil;
use crate::ops;
use crate::planfile;
use crate::preview::Scenario;
use crate::render::{self, json};

/// A line for humans on stderr, the credentials of any URL in it masked. A failed write to
/// stderr is ignored: there is nowhere left to say so, and `eprintln!` would panic.
macro_rules! say {
    ($($t:tt)*) => {{
        let _ = writeln!(std::io::stderr(), "{}", crate::mask::urls(&format!($($t)*)));
    }};
}

#[derive(Parser, Debug)]
#[command(
    name = "cibform",
    version,
    about = "Cluster-as-code for Pacemaker: plan and apply a YAML description against the CIB"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Never run Pacemaker's tools on this host for a CIB file target (no transition preview;
    /// default operations from the built-in table), so the output depends only on the inputs.
    #[arg(long, global = true)]
    pub no_host_tools: bool,
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
        /// Save the plan for `cibform apply PLAN.json` (authenticated when CIBFORM_PLAN_KEY is set: only then
        /// does its `policy:` open a gate at apply).
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
        /// How long one question to the scheduler may take (the preview, each --what-if); a longer
        /// one is cut short and the plan says so.
        #[arg(long, value_name = "SECONDS", default_value_t = 10, value_parser = seconds())]
        preview_timeout: u64,
        /// Also ask what would happen after the change if: `node-down=NODE`, `node-fail=NODE`,
        /// `attr=NODE:NAME=VALUE` (e.g. `attr=t3021cent:pingd=0`, a cut network), `ticket-grant=TICKET`,
        /// `ticket-revoke=TICKET`. Repeatable.
        #[arg(long, value_name = "SCENARIO")]
        what_if: Vec<String>,
        /// pcsd for corosync.conf and agent metadata (the CIB still comes from --target):
        /// `pcsd://HOST[:PORT][,HOST...]`, tried in order. Logs in as `hacluster` with
        /// `PCSD_PASSWORD` or the password file, or reuses a pcs token.
        #[arg(long, value_name = "pcsd://HOST")]
        pcsd: Option<String>,
        /// A file whose first line is the `hacluster` password for --pcsd (instead of
        /// `PCSD_PASSWORD`/`PCSD_PASSWORD_FILE`); never give the password itself on the command line.
        #[arg(long, value_name = "PATH")]
        pcsd_password_file: Option<PathBuf>,
        /// Skip `crm_verify` on the whole new CIB before the write (it costs seconds per thousand
        /// resources). Pacemaker still checks the patch against its schema; the plan and the
        /// apply say that the scheduler's checks were skipped.
        #[arg(long)]
        no_crm_verify: bool,
    },
    /// Play the file's failover scenarios with Pacemaker's scheduler on the planned configuration
    /// and the target's current status, touching nothing (exit 0 all hold, 1 otherwise).
    Test {
        #[arg(default_value = "cluster.yaml")]
        file: PathBuf,
        /// Any target `plan` accepts; a CIB file needs its status section.
        #[arg(long)]
        target: Option<String>,
        /// Also write the results as JUnit XML, for CI.
        #[arg(long, value_name = "PATH")]
        junit: Option<PathBuf>,
        /// How long the scheduler may take for one scenario; a longer one is cut short and counts
        /// as not holding.
        #[arg(long, value_name = "SECONDS", default_value_t = 10, value_parser = seconds())]
        preview_timeout: u64,
    },
    /// Make the change: plan (or read a saved plan), confirm, write it as one update.
    Apply {
        /// A cluster file, or a plan saved with `plan --out`.
        #[arg(default_value = "cluster.yaml")]
        file: PathBuf,
        /// Any target `plan` accepts; defaults to the saved plan's target, or as for `plan`.
        #[arg(long)]
        target: Option<String>,
        /// Compare with this corosync.conf (cluster nodes' own is read otherwise).
        #[arg(long, value_name = "PATH")]
        corosync: Option<PathBuf>,
        /// Do not ask Pacemaker's scheduler (crm_simulate) what the change would do.
        #[arg(long)]
        no_preview: bool,
        /// How long one question to the scheduler may take (the preview, each --what-if); a longer
        /// one is cut short and the plan says so.
        #[arg(long, value_name = "SECONDS", default_value_t = 10, value_parser = seconds())]
        preview_timeout: u64,
        /// Do not ask for confirmation (required without a terminal).
        #[arg(long)]
        auto_approve: bool,
        /// Allow destroying resources that are live but not declared, and removing from the
        /// cluster a node the file no longer declares.
        #[arg(long)]
        allow_destroy: bool,
        /// Allow disabling fencing or removing the last fencing device.
        #[arg(long)]
        allow_disable_stonith: bool,
        /// After writing, wait up to SECONDS for the cluster to settle and report what moved.
        #[arg(long, value_name = "SECONDS", num_args = 0..=1, default_missing_value = "120", value_parser = seconds())]
        wait: Option<u64>,
        /// pcsd for corosync.conf and agent metadata (the CIB still comes from --target):
        /// `pcsd://HOST[:PORT][,HOST...]`, tried in order. Logs in as `hacluster` with
        /// `PCSD_PASSWORD` or the password file, or reuses a pcs token.
        #[arg(long, value_name = "pcsd://HOST")]
        pcsd: Option<String>,
        /// A file whose first line is the `hacluster` password for --pcsd (instead of
        /// `PCSD_PASSWORD`/`PCSD_PASSWORD_FILE`); never give the password itself on the command line.
        #[arg(long, value_name = "PATH")]
        pcsd_password_file: Option<PathBuf>,
        /// Allow corosync.conf changes that need the whole cluster stopped (cluster name,
        /// transport, crypto, node ids, quorum flags): the cluster is stopped on every node,
        /// corosync.conf written, and the cluster started again.
        #[arg(long)]
        allow_cluster_restart: bool,
        /// Apply the CIB changes only: corosync.conf differences are shown, not applied.
        #[arg(long)]
        cib_only: bool,
        /// Skip `crm_verify` on the whole new CIB before the write (it costs seconds per thousand
        /// resources). Pacemaker still checks the patch against its schema; the plan and the
        /// apply say that the scheduler's checks were skipped.
        #[arg(long)]
        no_crm_verify: bool,
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
    /// Draw the cluster: groups with their start order, clones, constraints and nodes. Without
    /// --target, the file alone (offline); with one, the planned configuration on it, coloured by
    /// what the plan changes.
    Graph {
        #[arg(default_value = "cluster.yaml")]
        file: PathBuf,
        /// Any target `plan` accepts.
        #[arg(long)]
        target: Option<String>,
        #[arg(long, value_enum, default_value = "mermaid")]
        format: GraphFormat,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum GraphFormat {
    /// A Mermaid flowchart (GitHub and GitLab render it in Markdown).
    Mermaid,
    /// Graphviz dot (`dot -Tsvg`).
    Dot,
}

/// The longest wait a `SECONDS` flag takes (a day): a bigger number is a typo, and arithmetic on
/// it must not overflow.
const MAX_SECONDS: u64 = 86_400;

fn seconds() -> clap::builder::RangedU64ValueParser<u64> {
    clap::value_parser!(u64).range(..=MAX_SECONDS)
}

/// Run the command line; returns the process exit code.
pub fn main() -> u8 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage(&e),
    };
    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            say!("error: cannot start the runtime: {e}");
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

/// `--help` and `--version` print to stdout and succeed; a usage error prints to stderr and exits
/// 1 (clap's own 2 would mean "changes present" under `--detailed-exitcode`).
fn usage(e: &clap::Error) -> u8 {
    use clap::error::ErrorKind;
    let asked = matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion);
    let printed = e.print();
    match printed {
        Err(p) if asked && p.kind() != std::io::ErrorKind::BrokenPipe => {
            say!("error: cannot write to standard output: {p}");
            ExitStatus::Failure.code()
        }
        _ if asked => ExitStatus::Success.code(),
        _ => ExitStatus::Failure.code(),
    }
}

fn color_out() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

fn color_err() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

/// The cluster file's own `policy.sensitive` names, once it validated: every diagnostic shown
/// after that (warnings of a valid file, metadata findings) masks them too.
static FILE_SENSITIVE: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

fn remember_sensitive(model: &crate::model::Cluster) {
    if let Ok(mut names) = FILE_SENSITIVE.lock() {
        names.clone_from(&model.policy.sensitive);
    }
}

/// Render diagnostics to a string (miette's graphical report; plain when `color` is off). The
/// source lines shown have secret values masked (`crate::mask::source_text`), with the file's
/// own sensitive names once it is known.
pub fn render_diags(diags: &[Diag], color: bool) -> String {
    let theme = if color { miette::GraphicalTheme::unicode() } else { miette::GraphicalTheme::unicode_nocolor() };
    let handler = miette::GraphicalReportHandler::new_themed(theme).with_width(100);
    let mask = FILE_SENSITIVE.lock().map(|names| render::Mask::new(&names)).unwrap_or_default();
    let mut shown: Vec<(std::sync::Arc<String>, crate::diag::Source)> = Vec::new();
    let mut out = String::new();
    for d in diags {
        let mut d = d.clone();
        if let Some(src) = &d.source {
            let masked = match shown.iter().find(|(orig, _)| std::sync::Arc::ptr_eq(orig, &src.text)) {
                Some((_, m)) => m.clone(),
                None => {
                    let m = crate::diag::Source::new(&src.name, crate::mask::source_text(&mask, &src.text));
                    shown.push((src.text.clone(), m.clone()));
                    m
                }
            };
            d.source = Some(masked);
        }
        // A message may quote a value: masked before miette wraps it (a wrapped URL would not
        // be found after), and the output once more.
        d.message = crate::mask::urls(&d.message);
        d.help = d.help.as_deref().map(crate::mask::urls);
        d.labels.iter_mut().for_each(|(_, l)| *l = crate::mask::urls(l));
        let _ = handler.render_report(&mut out, &Rendered::new(&d));
    }
    crate::mask::urls(&out)
}

fn report(e: &Error) {
    let text = match e {
        Error::Diags(d) => {
            let n = d.iter().filter(|d| d.is_error()).count();
            format!("{}error: {} found\n", render_diags(d, color_err()), render::count(n, "problem"))
        }
        Error::Backend(BackendError::BadCib { diag, .. }) => render_diags(std::slice::from_ref(diag), color_err()),
        _ => error_text(e),
    };
    let _ = std::io::stderr().write_all(text.as_bytes());
}

/// An error that is not a diagnostic, as text. It may quote a tool's output (crm_verify,
/// cibadmin) or XML, so secret values in it are masked like a diagnostic's source.
fn error_text(e: &Error) -> String {
    let text = match e {
        Error::Diags(_) | Error::Backend(BackendError::BadCib { .. }) => format!("error: {e}\n"),
        Error::Stdout(_) => format!("error: {e}\n"),
        Error::Backend(BackendError::WriteFailed { cause, state }) => format!("error: {cause}\n  {state}\n"),
        Error::Stale { changes, sensitive, .. } if !changes.is_empty() => format!(
            "error: {e}\n  what changed in the cluster since the plan was made:\n{}  help: {}\n",
            render::changes_text(changes, &render::Mask::new(sensitive), color_err()),
            e.help().unwrap_or_default()
        ),
        Error::Unverified { changes, sensitive, drift, .. } if !changes.is_empty() => format!(
            "error: {e}\n  {}:\n{}  help: {}\n",
            match drift {
                crate::error::Drift::ChangedAfter { .. } => "what changed in the cluster since the write",
                _ => "how the configuration differs from what was written",
            },
            render::changes_text(changes, &render::Mask::new(sensitive), color_err()),
            e.help().unwrap_or_default()
        ),
        _ => {
            let mut msg = format!("error: {e}");
            let mut src = std::error::Error::source(e);
            while let Some(s) = src {
                msg.push_str(&format!(": {s}"));
                src = s.source();
            }
            match e.help() {
                Some(help) => format!("{msg}\n  help: {help}\n"),
                None => msg + "\n",
            }
        }
    };
    plain(&crate::mask::source_text(&render::Mask::default(), &text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_url_in_a_diagnostic_message_was_wrapped_past_the_mask() {
        let url = format!("https://user:SECRET-PW@{}.example.com/x", "h".repeat(120));
        let d = Diag::error(crate::diag::codes::COROSYNC_SYNTAX, format!("`{url}` is not a value"))
            .help(format!("try {url}"));
        let shown = render_diags(&[d], false);
        assert!(!shown.contains("SECRET") && !shown.contains("-PW"), "{shown}");
        assert!(shown.contains("https://user:(sensitive"), "{shown}");
    }

    #[test]
    fn tool_output_in_an_error_is_masked() {
        let e = Error::Backend(BackendError::Rejected {
            place: "node1".into(),
            output: r#"<nvpair id="f-pw" name="passwd" value="SEKRIT"/> password: SEKRIT2"#.into(),
        });
        let text = error_text(&e);
        assert!(!text.contains("SEKRIT") && text.contains(r#"name="passwd""#), "{text}");
    }

    /// Issue 8 item 11: an edit landing between the write and the verification is named as such,
    /// with what it changed, instead of blaming Pacemaker.
    #[test]
    fn an_edit_after_the_write_is_shown_not_blamed_on_pacemaker() {
        let sent = crate::cib::xml::Element::parse(
            "<configuration><crm_config/><nodes/><resources/><constraints/></configuration>",
        )
        .unwrap();
        let now = crate::cib::Cib::parse(
            "x",
            r#"<cib admin_epoch="0" epoch="9" num_updates="0"><configuration><crm_config/><nodes/><resources><primitive id="theirs" class="ocf" provider="pacemaker" type="Dummy"/></resources><constraints/></configuration><status/></cib>"#,
        )
        .unwrap();
        let written = crate::cib::Version { admin_epoch: 0, epoch: 7, num_updates: 1 };
        let text = error_text(&ops::unverified(written, &sent, &now, 1, &[]));
        assert!(
            text.starts_with("error: applied (CIB 0.7.1), but the cluster changed after the write (now CIB 0.9.0)"),
            "{text}"
        );
        assert!(text.contains("what changed in the cluster since the write:\n"), "{text}");
        assert!(text.contains("+ primitive theirs"), "{text}");
        assert!(!text.contains("Pacemaker may have changed"), "{text}");
    }
}

/// The command's backend, built once: the target from the flag, the file or the file's nodes.
fn resolve_backend(
    flag: Option<&str>,
    model: Option<&crate::model::Cluster>,
    host_tools: bool,
) -> Result<Backend, Error> {
    resolve_target(flag, model).map(|t| Backend::new(t, host_tools))
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
        return Err(Error::Usage {
            message: "no target given".into(),
            help: format!("pass `--target` ({}), or write `target:` in the cluster file", crate::backend::TARGET_FORMS),
        });
    };
    Target::parse(t)
        .map_err(|m| Error::Usage { message: m, help: format!("targets: {}", crate::backend::TARGET_FORMS) })
}

/// Write data to stdout, the only way commands do. A closed pipe (`cibform plan | head -1`) ends
/// the output quietly; any other failure (a full disk) is an error, so no plan is lost silently.
fn print(s: &str) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    match out.write_all(s.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Stdout(e)),
        _ => Ok(()),
    }
}

fn warn(diags: &[Diag]) {
    if !diags.is_empty() {
        say!("{}", render_diags(diags, color_err()).trim_end_matches('\n'));
    }
}

/// Refuse an output path that would overwrite one of the command's inputs.
fn check_out(out: Option<&Path>, inputs: &[(&str, Option<&Path>)]) -> Result<(), Error> {
    let Some(out) = out else { return Ok(()) };
    let inputs: Vec<(&str, &Path)> = inputs.iter().filter_map(|(w, p)| p.map(|p| (*w, p))).collect();
    fsutil::refuse_overwrite(out, &inputs)
        .map_err(|message| Error::Usage { message, help: "write the output to another path".into() })
}

/// Write an output file (`plan --out`, `export -o`) through `fsutil::write`.
fn save(path: &Path, text: &str, access: fsutil::Access) -> Result<(), Error> {
    if let Some(note) = fsutil::link_note(path) {
        say!("{note}");
    }
    fsutil::write(path, text.as_bytes(), access).map(drop).map_err(|source| Error::File {
        action: "write",
        path: path.display().to_string(),
        source,
    })
}

fn target_file(t: &Target) -> Option<&Path> {
    match t {
        Target::File(p) => Some(p),
        _ => None,
    }
}

/// Every `--what-if` ticket must be one the file or the target knows (a ticket constraint,
/// native or `raw:`, or a ticket in the status): a mistyped one predicts "nothing moves".
fn check_tickets(scenarios: &[Scenario], model: &crate::model::Cluster, cib: &crate::cib::Cib) -> Result<(), Error> {
    fn walk(el: &crate::cib::xml::Element, out: &mut Vec<String>) {
        match el.name.as_str() {
            "rsc_ticket" => out.extend(el.attr("ticket").map(str::to_string)),
            "ticket_state" => out.extend(el.id().map(str::to_string)),
            _ => el.elements().for_each(|c| walk(c, out)),
        }
    }
    let mut known: Vec<String> = model
        .constraints
        .iter()
        .filter_map(|c| match c {
            crate::model::Constraint::Ticket { ticket, .. } => Some(ticket.clone()),
            _ => None,
        })
        .collect();
    model.raw.iter().for_each(|r| walk(&r.element, &mut known));
    walk(&cib.root, &mut known);
    for s in scenarios {
        let (Scenario::TicketGranted { ticket } | Scenario::TicketRevoked { ticket }) = s else { continue };
        if !known.contains(ticket) {
            known.sort_unstable();
            known.dedup();
            let list: Vec<String> =
                known.iter().map(|t| format!("`{}`", crate::diag::printable(t, &[], 200))).collect();
            return Err(Error::Usage {
                message: format!(
                    "`--what-if` names ticket `{}`, which no ticket constraint of the file or the target uses",
                    crate::diag::printable(ticket, &[], 200)
                ),
                help: if list.is_empty() {
                    "the file and the target have no tickets".into()
                } else {
                    format!("known tickets: {}", list.join(", "))
                },
            });
        }
    }
    Ok(())
}

/// Every `--what-if` node must be a node of the file or of the target.
fn check_scenarios(scenarios: &[Scenario], model: &crate::model::Cluster, cib: &crate::cib::Cib) -> Result<(), Error> {
    let mut known: Vec<&str> = model.nodes.iter().map(|n| n.name.as_str()).collect();
    for (section, tag) in [(cib.configuration().child("nodes"), "node"), (cib.root.child("status"), "node_state")] {
        let unames =
            section.into_iter().flat_map(|s| s.elements().filter(|e| e.name == tag).filter_map(|e| e.attr("uname")));
        known.extend(unames);
    }
    check_tickets(scenarios, model, cib)?;
    for s in scenarios {
        let Some(node) = s.node() else { continue };
        if !known.contains(&node) {
            known.sort_unstable();
            known.dedup();
            return Err(Error::Usage {
                message: format!("`--what-if` names node `{node}`, which is neither in the file nor in the target"),
                help: format!("known nodes: {}", known.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")),
            });
        }
    }
    Ok(())
}

async fn run(cli: Cli) -> Result<ExitStatus, Error> {
    let host_tools = !cli.no_host_tools;
    match cli.command {
        Command::Validate { file } => {
            let loaded = ops::load(&file)?;
            remember_sensitive(&loaded.model);
            warn(&loaded.warnings);
            let catalog = crate::validate::agents::Catalog::offline(&crate::validate::agents::agents(&loaded.raw));
            warn(&ops::check_agents(&loaded, &catalog)?);
            say!("{}", catalog.summary());
            let m = &loaded.model;
            let prims: usize = m.resources.iter().map(count_primitives).sum();
            say!(
                "`{}` is valid: cluster `{}`, {}, {}, {}",
                file.display(),
                m.name,
                render::count(m.nodes.len(), "node"),
                render::count(prims, "primitive"),
                render::count(m.constraints.len(), "constraint")
            );
            Ok(ExitStatus::Success)
        }
        Command::Plan {
            file,
            target,
            out,
            format,
            detailed_exitcode,
            corosync,
            no_preview,
            preview_timeout,
            what_if,
            pcsd,
            pcsd_password_file,
            no_crm_verify,
        } => {
            let loaded = ops::load(&file)?;
            remember_sensitive(&loaded.model);
            warn(&loaded.warnings);
            let pcsd = resolve_pcsd(pcsd.as_deref(), pcsd_password_file.as_deref())?;
            let backend = resolve_backend(target.as_deref(), Some(&loaded.model), host_tools)?
                .with_pcsd(pcsd)
                .with_crm_verify(!no_crm_verify);
            let inputs = [
                ("cluster file", Some(file.as_path())),
                ("target", target_file(&backend.target)),
                ("corosync.conf", corosync.as_deref()),
            ];
            check_out(out.as_deref(), &inputs)?;
            let catalog = agent_checks(&loaded, &backend).await?;
            if let Some(b) = bootstrap(&loaded.model, &backend).await? {
                check_new_cluster_plan(out.as_deref())?;
                let planned = ops::plan_new_cluster(&loaded.model, &backend.target, &catalog)?;
                print(&new_cluster_plan(&b, &planned, format))?;
                return Ok(if detailed_exitcode { ExitStatus::Changes } else { ExitStatus::Success });
            }
            let scenarios = what_if
                .iter()
                .map(|w| Scenario::parse(w))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|m| Error::Usage { message: m, help: "see `cibform plan --help`".into() })?;
            // A key that cannot sign is refused before planning, not after the plan is printed.
            let key = if out.is_some() { plan_key()? } else { None };
            let opts = ops::PlanOpts {
                corosync: corosync.as_deref(),
                preview: !no_preview,
                what_if: &scenarios,
                preview_timeout: std::time::Duration::from_secs(preview_timeout),
                catalog: Some(&catalog),
            };
            let busy = spinner(opts.preview_timeout);
            let planned = ops::plan(&loaded.model, &backend, opts).await;
            busy.finish_and_clear();
            pcsd_notes(&backend);
            let mut planned = planned?;
            if !planned.plan.corosync.changes.is_empty() {
                // What `apply` would use, from the flags and the tokens held: no node is asked.
                let settings = crate::backend::pcsd::Settings::from_env(None);
                let current = planned.live.corosync.as_ref();
                let device = current.and_then(|c| ops::device_pcsd_hosts(&loaded.model, c));
                let route = ops::plan_route(&backend, corosync.as_deref(), current, device.as_deref(), &settings);
                planned.plan.corosync.transport = route;
            }
            check_scenarios(&scenarios, &loaded.model, &planned.live.cib)?;
            match format {
                Format::Text => print(&render::text(&planned.plan, &planned.header, color_out()))?,
                Format::Markdown => print(&render::markdown(&planned.plan, &planned.header))?,
                Format::Json => {
                    let doc = json::doc(&planned.plan, &planned.header, &planned.basis);
                    print(&(serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"))?;
                }
            }
            if let Some(path) = out {
                let old = planned.live.cib.configuration();
                let policy = &loaded.model.policy;
                let text =
                    planfile::write_signed(&planned.plan, &planned.header, &planned.basis, old, policy, key.as_ref());
                // A saved plan carries the configuration to write, secrets included: owner only.
                save(&path, &text, fsutil::Access::Private)?;
                say!("saved the plan to `{}`; apply it with `cibform apply {}`", path.display(), path.display());
                say_unsigned_gates(key.is_some(), policy);
            }
            Ok(if detailed_exitcode && !planned.plan.is_empty() { ExitStatus::Changes } else { ExitStatus::Success })
        }
        Command::Test { file, target, junit, preview_timeout } => {
            test(&file, target.as_deref(), junit.as_deref(), preview_timeout, host_tools).await
        }
        Command::Apply {
            file,
            target,
            corosync,
            no_preview,
            preview_timeout,
            auto_approve,
            allow_destroy,
            allow_disable_stonith,
            wait,
            pcsd,
            pcsd_password_file,
            allow_cluster_restart,
            cib_only,
            no_crm_verify,
        } => {
            let pcsd = resolve_pcsd(pcsd.as_deref(), pcsd_password_file.as_deref())?;
            let gates = Gates { auto_approve, allow_destroy, allow_disable_stonith, allow_cluster_restart, cib_only };
            let preview_timeout = std::time::Duration::from_secs(preview_timeout);
            let (preview, crm_verify) = (!no_preview, !no_crm_verify);
            let how =
                How { corosync: corosync.as_deref(), preview, preview_timeout, host_tools, wait, pcsd, crm_verify };
            apply(&file, target.as_deref(), how, gates).await
        }
        Command::Export { target, out, cluster, corosync } => {
            let backend = resolve_backend(Some(&target), None, host_tools)?;
            let target = &backend.target;
            check_out(out.as_deref(), &[("target", target_file(target)), ("corosync.conf", corosync.as_deref())])?;
            let opts = crate::export::Options { cluster, ..Default::default() };
            let (text, notes) = ops::export(&backend, &opts, corosync.as_deref()).await?;
            for n in &notes {
                say!("note: {n}");
            }
            let secrets = crate::config::holds_secrets(&text, &render::Mask::default());
            // Export keeps secret values (the file must plan to zero changes), so the file is
            // private when it holds one or when its source was not readable by everyone.
            let public = !secrets && target_file(target).is_some_and(fsutil::world_readable);
            match out {
                Some(path) => {
                    save(&path, &text, if public { fsutil::Access::Keep } else { fsutil::Access::Private })?;
                    say!("wrote `{}`", path.display());
                }
                None => {
                    if secrets {
                        say!("warning: the exported file holds secret values (passwords, keys); keep it private or use `-o FILE` (written mode 0600)");
                    }
                    print(&text)?;
                }
            }
            Ok(ExitStatus::Success)
        }
        Command::Schema => {
            print(&crate::schema_json())?;
            Ok(ExitStatus::Success)
        }
        Command::Graph { file, target, format } => graph(&file, target.as_deref(), format, host_tools).await,
    }
}

/// Look up the file's agents where the backend runs tools, check the file against them, and say
/// where the metadata came from.
async fn agent_checks(loaded: &ops::Loaded, backend: &Backend) -> Result<crate::validate::agents::Catalog, Error> {
    let catalog = ops::metadata(loaded, backend).await;
    warn(&ops::check_agents(loaded, &catalog)?);
    say!("{}", catalog.summary());
    Ok(catalog)
}

fn count_primitives(r: &crate::model::Resource) -> usize {
    match r {
        crate::model::Resource::Primitive(_) => 1,
        crate::model::Resource::Group(g) => g.members.len(),
        crate::model::Resource::Clone(c) => count_primitives(&c.child),
        crate::model::Resource::Bundle(b) => usize::from(b.primitive.is_some()),
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
        return Err(Error::NotApproved {
            reason: "refusing to apply without confirmation: standard input is not a terminal".into(),
            help: "review the plan and pass --auto-approve to apply non-interactively".into(),
        });
    }
    let _ = write!(
        std::io::stderr(),
        "\nDo you want to perform these actions? Only `yes` will be accepted.\n  Enter a value: "
    );
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
    if line.trim() == "yes" {
        Ok(())
    } else {
        Err(Error::NotApproved { reason: "apply cancelled".into(), help: "nothing was changed".into() })
    }
}

/// What the admin allowed on the command line.
#[derive(Debug, Clone, Copy)]
struct Gates {
    auto_approve: bool,
    allow_destroy: bool,
    allow_disable_stonith: bool,
    allow_cluster_restart: bool,
    cib_only: bool,
}

/// A spinner on stderr while the target is read and Pacemaker's scheduler asked, on a terminal
/// only (indicatif draws nothing elsewhere).
fn spinner(budget: std::time::Duration) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_message(format!(
        "planning: reading the target, asking Pacemaker's scheduler (at most {} s)",
        budget.as_secs()
    ));
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

/// How to apply, besides the gates.
#[derive(Debug, Clone)]
struct How<'a> {
    corosync: Option<&'a Path>,
    preview: bool,
    preview_timeout: std::time::Duration,
    host_tools: bool,
    wait: Option<u64>,
    pcsd: Option<crate::backend::pcsd::Pcsd>,
    crm_verify: bool,
}

async fn apply(file: &Path, target: Option<&str>, how: How<'_>, gates: Gates) -> Result<ExitStatus, Error> {
    let Gates { mut auto_approve, allow_destroy, allow_disable_stonith, allow_cluster_restart, cib_only } = gates;
    let How { corosync, preview, preview_timeout, host_tools, wait, pcsd, crm_verify } = how;
    let prepared = if is_saved_plan(file) {
        let mut saved = ops::read_saved_plan(file)?;
        authenticate_saved(&mut saved, file)?;
        if saved.doc.corosync.as_ref().is_some_and(|c| !c.changes.is_empty()) {
            say!("note: a saved plan applies its CIB changes only; corosync.conf is changed by applying the cluster file itself");
        }
        let backend = resolve_backend(Some(target.unwrap_or(&saved.doc.target)), None, host_tools)?
            .with_pcsd(pcsd)
            .with_crm_verify(crm_verify);
        ops::prepare_saved(saved, file, backend).await?
    } else {
        let loaded = ops::load(file)?;
        remember_sensitive(&loaded.model);
        warn(&loaded.warnings);
        let backend =
            resolve_backend(target, Some(&loaded.model), host_tools)?.with_pcsd(pcsd).with_crm_verify(crm_verify);
        let catalog = agent_checks(&loaded, &backend).await?;
        if let Some(b) = bootstrap(&loaded.model, &backend).await? {
            create_cluster(&loaded.model, &backend, &b, &catalog, auto_approve).await?;
            auto_approve = true; // the admin approved the whole, the CIB part included
        }
        let busy = spinner(preview_timeout);
        let opts = ops::PlanOpts { corosync, preview, what_if: &[], preview_timeout, catalog: Some(&catalog) };
        let prepared = ops::prepare(loaded.model, backend.clone(), opts).await;
        busy.finish_and_clear();
        pcsd_notes(&backend);
        prepared?
    };
    if let Some(conf) = corosync {
        // `--corosync` is written too: never over the cluster file or the CIB.
        let inputs = [("cluster file", file), ("target", target_file(&prepared.backend.target).unwrap_or(file))];
        fsutil::refuse_overwrite(conf, &inputs).map_err(|message| Error::Usage {
            message,
            help: "give `--corosync` the corosync.conf to change".into(),
        })?;
    }
    let work = if cib_only { None } else { corosync_work(&prepared, corosync).await? };
    print(&render::text(&prepared.plan, &prepared.header, color_out()))?;
    let corosync_todo = work.as_ref().filter(|w| !w.is_empty());
    for line in work.iter().flat_map(ops::drift_report) {
        say!("{}", plain(&line));
    }
    if cib_only && !prepared.plan.corosync.changes.is_empty() {
        say!("note: corosync.conf differences are not applied (--cib-only)");
    }
    if prepared.plan.changes.is_empty() && corosync_todo.is_none() {
        return Ok(ExitStatus::Success);
    }
    let mut blocked = prepared.blocked(allow_destroy, allow_disable_stonith);
    let before = blocked.len();
    blocked.extend(corosync_todo.and_then(|w| ops::leaving_gate(&w.leaving, allow_destroy, &prepared.policy)));
    blocked.extend(corosync_todo.iter().flat_map(|w| w.refused.iter().cloned()));
    if !allow_cluster_restart {
        blocked.extend(corosync_todo.iter().flat_map(|w| w.full_stop.iter().cloned()));
    }
    let refused = blocked.len() > before;
    if let Some(last) = blocked.last_mut().filter(|_| refused) {
        // Part of the last refusal, not a gate of its own (the error counts the gates).
        last.push_str("; pass --cib-only to apply the CIB changes alone");
    }
    if !blocked.is_empty() {
        return Err(Error::Blocked(blocked));
    }
    if corosync_todo.is_some_and(|w| !w.full_stop.is_empty()) {
        say!("warning: this apply STOPS THE WHOLE CLUSTER: pacemaker on every node (every resource stops), then corosync; writes corosync.conf; then starts corosync and pacemaker again");
    }
    let source = if prepared.model.is_some() { "the file's" } else { "the saved plan's" };
    for gate in prepared.opened_by_policy(allow_destroy, allow_disable_stonith) {
        let gate = gate.split(": pass --").next().unwrap_or(&gate);
        say!("note: {gate}: allowed by {source} `policy:`, not by a flag");
    }
    let by_policy = corosync_todo.and_then(|w| ops::leaving_gate(&w.leaving, allow_destroy, &Default::default()));
    if let Some(gate) = by_policy.filter(|_| prepared.policy.allow_destroy) {
        let gate = gate.split(": pass --").next().unwrap_or(&gate);
        say!("note: {gate}: allowed by {source} `policy:`, not by a flag");
    }
    confirm(auto_approve)?;
    if let Some(w) = corosync_todo {
        ops::corosync_unchanged(w).await?;
    }
    // Nodes joining or leaving: the CIB part first (a new node's `<node>` entry is there before
    // it starts; a leaving node is forgotten by Pacemaker last, as pcs does).
    let members = corosync_todo.filter(|w| !w.joining.is_empty() || !w.leaving.is_empty());
    if let Some(w) = corosync_todo.filter(|_| members.is_none()) {
        say!("corosync.conf: through {}", plain(&w.transport.via()));
        ops::push_corosync(w, &|line| say!("{}", plain(line))).await?;
    }
    if prepared.plan.changes.is_empty() {
        if let Some(w) = members {
            say!("corosync.conf: through {}", plain(&w.transport.via()));
            ops::push_corosync(w, &|line| say!("{}", plain(line))).await?;
        }
        return Ok(ExitStatus::Success);
    }
    if let Some(note) = target_file(&prepared.backend.target).and_then(fsutil::link_note) {
        say!("{note}");
    }
    let applied = ops::execute(&prepared, wait, corosync, &|line| say!("{line}")).await?;
    if let Some(moved) = applied.moved {
        if moved.is_empty() {
            say!("Settled: no resource changed state.");
        } else {
            say!("Settled. What Pacemaker did:");
            for m in moved {
                say!("  {m}");
            }
        }
    }
    match prepared.model {
        Some(_) => say!("Verified: the target now matches the file."),
        None => say!("Verified: the target now holds the plan's configuration."),
    }
    if let Some(w) = members {
        say!("corosync.conf: through {}", plain(&w.transport.via()));
        ops::push_corosync(w, &|line| say!("{}", plain(line))).await?;
    }
    Ok(ExitStatus::Success)
}

/// `cibform graph`: the drawing on stdout.
async fn graph(file: &Path, target: Option<&str>, format: GraphFormat, host_tools: bool) -> Result<ExitStatus, Error> {
    let loaded = ops::load(file)?;
    remember_sensitive(&loaded.model);
    warn(&loaded.warnings);
    let drawing = match target {
        None => ops::file_drawing(&loaded.model),
        Some(t) => {
            let backend = resolve_backend(Some(t), Some(&loaded.model), host_tools)?;
            ops::planned_drawing(&loaded.model, &backend).await?
        }
    };
    print(&match format {
        GraphFormat::Mermaid => drawing.to_mermaid(),
        GraphFormat::Dot => drawing.to_dot(),
    })?;
    Ok(ExitStatus::Success)
}

/// The corosync part of an apply of a cluster file: every node's corosync.conf read, and what
/// to write (none for a saved plan, or a target without corosync.conf).
async fn corosync_work(
    prepared: &ops::Prepared,
    path: Option<&Path>,
) -> Result<Option<ops::CorosyncWork<crate::backend::corosync::Transport>>, Error> {
    let Some(model) = &prepared.model else { return Ok(None) };
    let mut backend = prepared.backend.clone();
    let device = prepared.corosync.as_ref().and_then(|c| ops::device_pcsd_hosts(model, c));
    if path.is_none() && backend.pcsd.is_none() {
        // pcsd by default when it answers with the tokens held (`ops::default_pcsd`); a quorum
        // device change needs its qnetd host's pcsd too.
        let settings = std::sync::Arc::new(crate::backend::pcsd::Settings::from_env(None));
        let also = device.as_deref().unwrap_or_default();
        let (pcsd, line) = ops::default_pcsd(&backend, prepared.corosync.as_ref(), settings, also).await;
        if let Some(line) = line {
            say!("{}", plain(&line));
        }
        if device.is_some() && pcsd.is_none() {
            say!("note: pcsd not used for corosync.conf: cibform sets up a quorum device over ssh (to the nodes and the qnetd host)");
        }
        backend = backend.with_pcsd(pcsd);
        pcsd_notes(&backend);
    }
    match ops::corosync_transport_for(&backend, prepared.corosync.as_ref(), path, Some(model)).await? {
        Some(t) => Ok(Some(ops::corosync_work(t, model).await?)),
        None => Ok(None),
    }
}

/// `cibform test`: the report on stdout, JUnit XML on request, exit 1 unless every scenario holds.
async fn test(
    file: &Path,
    target: Option<&str>,
    junit: Option<&Path>,
    preview_timeout: u64,
    host_tools: bool,
) -> Result<ExitStatus, Error> {
    let loaded = ops::load(file)?;
    warn(&loaded.warnings);
    let backend = resolve_backend(target, Some(&loaded.model), host_tools)?;
    check_out(junit, &[("cluster file", Some(file)), ("target", target_file(&backend.target))])?;
    if loaded.model.scenarios.is_empty() {
        say!("`{}` has no scenarios: nothing to test", file.display());
    }
    let catalog = agent_checks(&loaded, &backend).await?;
    let preview_timeout = std::time::Duration::from_secs(preview_timeout);
    let opts = ops::PlanOpts { preview_timeout, catalog: Some(&catalog), ..Default::default() };
    let busy = spinner(opts.preview_timeout);
    let tested = ops::test(&loaded.model, &backend, opts).await;
    busy.finish_and_clear();
    let tested = tested?;
    for w in &tested.warnings {
        say!("warning: {}", plain(w));
    }
    print(&render::failover::report(&tested.verdicts, &tested.header, tested.changes, color_out()))?;
    if let Some(path) = junit {
        let xml = render::failover::junit(&tested.verdicts, &tested.header).map_err(|e| Error::File {
            action: "write",
            path: path.display().to_string(),
            source: std::io::Error::other(e),
        })?;
        save(path, &xml, fsutil::Access::Keep)?;
        say!("wrote the JUnit report to `{}`", path.display());
    }
    let (pass, all) = crate::failover::tally(&tested.verdicts);
    if pass < all {
        say!("error: {} of {all} failover scenarios do not hold", all - pass);
        return Ok(ExitStatus::Failure);
    }
    Ok(ExitStatus::Success)
}

/// `--pcsd`, with the run's pins, tokens and password.
fn resolve_pcsd(flag: Option<&str>, password_file: Option<&Path>) -> Result<Option<crate::backend::pcsd::Pcsd>, Error> {
    use crate::backend::pcsd::{Pcsd, PcsdTarget, Settings, PCSD_FORMS};
    let Some(flag) = flag else {
        if password_file.is_some() {
            return Err(Error::Usage {
                message: "`--pcsd-password-file` is given without `--pcsd`".into(),
                help: format!("name the pcsd hosts with `--pcsd` ({PCSD_FORMS})"),
            });
        }
        return Ok(None);
    };
    let target = PcsdTarget::parse(flag)
        .map_err(|m| Error::Usage { message: m, help: format!("pcsd targets: {PCSD_FORMS}") })?;
    Ok(Some(Pcsd::new(target, std::sync::Arc::new(Settings::from_env(password_file)))))
}

/// Tell the admin what the pcsd client did that they should know (a certificate pinned).
fn pcsd_notes(backend: &Backend) {
    for n in backend.pcsd.iter().flat_map(|p| p.settings.take_notes()) {
        say!("note: {}", plain(&n));
    }
}

/// With `--pcsd`: the cluster to create, when none of the file's nodes has it yet.
async fn bootstrap(model: &crate::model::Cluster, backend: &Backend) -> Result<Option<ops::Bootstrap>, Error> {
    let Some(p) = &backend.pcsd else { return Ok(None) };
    let found = ops::bootstrap_check(model, p).await.map_err(BackendError::from);
    pcsd_notes(backend);
    Ok(found?)
}

/// A plan that creates the cluster runs only as one `apply` (setup, quorum, then the CIB).
fn check_new_cluster_plan(out: Option<&Path>) -> Result<(), Error> {
    match out {
        Some(_) => Err(Error::Usage {
            message: "a plan that creates the cluster cannot be saved".into(),
            help: "run `cibform apply FILE --pcsd ...`: it shows the same plan and asks before doing anything".into(),
        }),
        None => Ok(()),
    }
}

/// The plan of a new cluster: what is created and checked first, then the CIB part.
fn new_cluster_plan(b: &ops::Bootstrap, planned: &ops::Planned, format: Format) -> String {
    match format {
        Format::Text => format!("{}\n{}", b.text(), render::text(&planned.plan, &planned.header, color_out())),
        Format::Markdown => format!("```\n{}```\n\n{}", b.text(), render::markdown(&planned.plan, &planned.header)),
        Format::Json => {
            let doc = json::doc(&planned.plan, &planned.header, &planned.basis);
            let mut v = serde_json::to_value(&doc).unwrap_or_default();
            if let Some(o) = v.as_object_mut() {
                o.insert("bootstrap".into(), serde_json::to_value(b).unwrap_or_default());
            }
            serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
        }
    }
}

/// `apply` of a new cluster: show the plan, refuse unless every preflight fact holds, confirm,
/// set the cluster up through pcsd, wait for quorum and for its CIB.
async fn create_cluster(
    model: &crate::model::Cluster,
    backend: &Backend,
    b: &ops::Bootstrap,
    catalog: &crate::validate::agents::Catalog,
    auto_approve: bool,
) -> Result<(), Error> {
    let planned = ops::plan_new_cluster(model, &backend.target, catalog)?;
    print(&new_cluster_plan(b, &planned, Format::Text))?;
    if !b.ready() {
        return Err(Error::NotApproved {
            reason: format!("the preflight checks above failed: cluster `{}` was not created", b.cluster),
            help: "make the FAIL lines hold (pcsd running and authenticated on every node, names resolving, versions), then apply again".into(),
        });
    }
    confirm(auto_approve)?;
    let Some(p) = &backend.pcsd else { return Ok(()) };
    let budget = std::time::Duration::from_secs(120);
    ops::bootstrap_apply(model, p, budget, &|line| say!("{line}")).await?;
    say!("cluster `{}` has quorum; waiting for its CIB", model.name);
    let end = std::time::Instant::now() + budget;
    loop {
        match backend.read().await {
            Ok(_) => return Ok(()),
            Err(e) if std::time::Instant::now() >= end => {
                return Err(Error::NotSettled {
                    seconds: budget.as_secs(),
                    detail: format!("the new cluster's CIB cannot be read: {e}"),
                })
            }
            Err(_) => tokio::time::sleep(std::time::Duration::from_secs(2)).await,
        }
    }
}

/// The saved-plan key (`planfile::auth::KEY_ENV`), from the environment only: never argv.
fn plan_key() -> Result<Option<planfile::auth::PlanKey>, Error> {
    planfile::auth::PlanKey::from_env().map_err(|e| Error::Usage {
        message: e.to_string(),
        help: format!(
            "use a random key of at least 32 characters (e.g. `openssl rand -hex 32`), or unset {}",
            planfile::auth::KEY_ENV
        ),
    })
}

/// `plan --out` without a key: say that the plan's `policy:` gates will not count at apply.
fn say_unsigned_gates(signed: bool, policy: &crate::model::Policy) {
    let gates: Vec<&str> =
        [("allow_destroy", policy.allow_destroy), ("allow_disable_stonith", policy.allow_disable_stonith)]
            .into_iter()
            .filter_map(|(name, set)| set.then_some(name))
            .collect();
    if !signed && !gates.is_empty() {
        say!(
            "note: the saved plan is not authenticated ({} is not set): at apply, its `policy:` ({}) opens no gate",
            planfile::auth::KEY_ENV,
            gates.join(", ")
        );
    }
}

/// Authenticate a saved plan before applying it: with the key, a MAC that does not verify, or
/// none, refuses it; without the key the gates its `policy:` would open are dropped, and that is
/// said.
fn authenticate_saved(saved: &mut planfile::SavedPlan, file: &Path) -> Result<(), Error> {
    use planfile::Authenticity;
    let env = planfile::auth::KEY_ENV;
    let key = plan_key()?;
    let (verdict, dropped) = saved
        .authenticate(key.as_ref())
        .map_err(|problem| Error::PlanFile { path: file.display().to_string(), problem })?;
    let why = match verdict {
        Authenticity::Authenticated => {
            say!("note: the saved plan is authenticated ({env}): its `policy:` counts");
            return Ok(());
        }
        Authenticity::NoKey => format!("{env} is not set, so the plan cannot be authenticated"),
    };
    if !dropped.is_empty() {
        let flags: Vec<String> = dropped.iter().map(|g| format!("--{}", g.replace('_', "-"))).collect();
        say!(
            "note: the saved plan's `policy:` ({}) opens no gate: {why}; those gates need their flags ({})",
            dropped.join(", "),
            flags.join(", ")
        );
    }
    Ok(())
}
