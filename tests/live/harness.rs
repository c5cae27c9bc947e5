//! The live tests' harness: real clusters started and stopped through `tests/cluster/*.sh`,
//! cibform run on their nodes, over an `ssh` stand-in or with pcsd; tests nothing itself.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::rc::Rc;
use std::time::{Duration, Instant};

use cibform::cib::xml::Element;

use crate::common::*;

/// Every test here is ignored ("needs root for a live cluster"); run with `--include-ignored`,
/// it fails at once when what a live cluster needs is missing.
pub fn need_live() {
    need_root();
    need_tools(&["corosync", "pacemakerd", "cibadmin", "crm_mon", "crm_resource", "pcs", "ip", "pkill"]);
}

/// A running cluster; stopped when dropped.
pub struct Cluster {
    pub dir: PathBuf,
    script: &'static str,
    work: tempfile::TempDir,
}

impl Cluster {
    pub fn start(script: &'static str) -> Cluster {
        Cluster::start_with(script, |_| Vec::new())
    }

    /// Start with extra arguments computed from the scratch directory (e.g. `--cib FILE`).
    pub fn start_with(script: &'static str, extra: impl Fn(&Path) -> Vec<String>) -> Cluster {
        let work = tempfile::Builder::new().prefix("cibform-live-").tempdir_in("/tmp").unwrap();
        let dir = work.path().join("state");
        let args = extra(work.path());
        let c = Cluster { dir, script, work };
        let out = Command::new("bash")
            .arg(root().join("tests/cluster").join(script))
            .arg("start")
            .arg("--dir")
            .arg(&c.dir)
            .args(&args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{script} start failed:\n{}", String::from_utf8_lossy(&out.stderr));
        c
    }

    pub fn single() -> Cluster {
        Cluster::start("single-node.sh")
    }

    pub fn two() -> Cluster {
        Cluster::start("two-node.sh")
    }

    /// A scratch directory visible inside the nodes.
    pub fn work(&self) -> &Path {
        self.work.path()
    }

    /// Run a command on a node.
    pub fn on(&self, node: &str, args: &[&str]) -> Out {
        let out = Command::new("bash")
            .arg(root().join("tests/cluster/on.sh"))
            .arg(&self.dir)
            .arg(node)
            .arg("--")
            .args(args)
            .current_dir(self.work())
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        Out::from(out)
    }

    /// Run cibform on a node against `--target local`.
    pub fn cibform(&self, node: &str, args: &[&str]) -> Out {
        let mut all = vec![env!("CARGO_BIN_EXE_cibform")];
        all.extend_from_slice(args);
        let saved_plan = args[0] == "apply" && args.get(1).is_some_and(|a| a.ends_with(".json"));
        if !args.iter().any(|a| a.starts_with("--target")) && !saved_plan && args[0] != "validate" {
            all.extend_from_slice(&["--target", "local"]);
        }
        self.on(node, &all)
    }

    pub fn cib(&self, node: &str) -> Element {
        let out = self.on(node, &["cibadmin", "--query"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        Element::parse(&out.stdout).unwrap()
    }

    pub fn settle(&self, node: &str) {
        let out = self.on(node, &["crm_resource", "--wait", "--timeout=90s"]);
        assert_eq!(out.code, 0, "cluster did not settle: {}", out.stderr);
    }

    /// A node's corosync.conf.
    pub fn corosync_conf(&self, node: &str) -> String {
        self.on(node, &["cat", "/etc/corosync/corosync.conf"]).stdout
    }

    /// Wait (60 s at most) until each of `ids` is started, as t3021cent's crm_mon shows it.
    pub fn wait_started(&self, ids: &[&str]) {
        self.until(&format!("{} started", ids.join(", ")), 60, || {
            let running = self.running("t3021cent");
            ids.iter().all(|id| running.contains_key(*id))
        });
    }

    /// Run `tests/cluster/node.sh DIR NODE ARGS...` (start or stop a node's daemons), which
    /// must succeed.
    pub fn node_sh(&self, node: &str, args: &[&str]) {
        let out = Command::new("bash")
            .arg(root().join("tests/cluster/node.sh"))
            .arg(&self.dir)
            .arg(node)
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "node.sh {node} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// Start a node's stack again and wait until its CIB can be read.
    pub fn restart(&self, node: &str) {
        self.node_sh(node, &["start"]);
        self.until("the CIB is readable again", 60, || self.on(node, &["cibadmin", "--query"]).code == 0);
    }

    /// Poll until `check` holds (the cluster reacts to node attributes asynchronously).
    pub fn until(&self, what: &str, secs: u64, check: impl Fn() -> bool) {
        let end = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < end {
            if check() {
                return;
            }
            std::thread::sleep(Duration::from_millis(500));
        }
        let mon = self.on("t3021cent", &["crm_mon", "-1", "-A"]);
        panic!("timed out after {secs} s waiting for: {what}\n{}", mon.stdout);
    }

    /// Where each resource is started: id → node names (from crm_mon).
    pub fn running(&self, node: &str) -> BTreeMap<String, Vec<String>> {
        let out = self.on(node, &["crm_mon", "-1", "--output-as=xml"]);
        let xml = Element::parse(&out.stdout).unwrap();
        let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        fn walk(e: &Element, map: &mut BTreeMap<String, Vec<String>>) {
            for c in e.elements() {
                if c.name == "resource" {
                    if c.attr("role") == Some("Started") && c.attr("failed") != Some("true") {
                        let nodes = c.elements().filter_map(|n| n.attr("name")).map(str::to_string);
                        map.entry(c.attr("id").unwrap_or_default().to_string()).or_default().extend(nodes);
                    }
                } else {
                    walk(c, map);
                }
            }
        }
        if let Some(r) = xml.child("resources") {
            walk(r, &mut map);
        }
        map
    }

    /// The call ids of every `start` each resource has had (from the status section).
    pub fn starts(&self, node: &str) -> BTreeMap<String, Vec<u64>> {
        let cib = self.cib(node);
        let mut map: BTreeMap<String, Vec<u64>> = BTreeMap::new();
        fn walk(e: &Element, map: &mut BTreeMap<String, Vec<u64>>) {
            for c in e.elements() {
                if c.name == "lrm_resource" {
                    for op in c.elements().filter(|o| o.attr("operation") == Some("start")) {
                        let call: u64 = op.attr("call-id").and_then(|v| v.parse().ok()).unwrap_or(0);
                        map.entry(format!(
                            "{}@{}",
                            c.attr("id").unwrap_or_default(),
                            op.attr("on_node").unwrap_or_default()
                        ))
                        .or_default()
                        .push(call);
                    }
                } else {
                    walk(c, map);
                }
            }
        }
        walk(cib.child("status").unwrap(), &mut map);
        map
    }

    /// Apply the single-node runtime example; returns its text and path.
    pub fn applied_runtime_example(&self) -> (String, PathBuf) {
        let base = runtime_example(true);
        let yaml = self.write("cluster.yaml", &base);
        let out = self.cibform("t3021cent", &["apply", yaml.to_str().unwrap(), "--auto-approve"]);
        assert_eq!(out.code, 0, "{}", out.snapshot());
        (base, yaml)
    }

    /// Save a plan of `yaml_text` as `plan_name`; returns the YAML's path.
    pub fn saved_plan(&self, yaml_text: &str, plan_name: &str) -> PathBuf {
        let yaml = self.write(&plan_name.replace(".json", ".yaml"), yaml_text);
        let out = self.cibform("t3021cent", &["plan", yaml.to_str().unwrap(), "--out", plan_name]);
        assert_eq!(out.code, 0, "{}", out.snapshot());
        yaml
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.work().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        // Maintenance mode first: pacemaker then shuts down without stopping (possibly failing)
        // resources, so the stop is quick; then stop every daemon by pid.
        for node in ["t3021cent", "t3022cent"] {
            let _ = Command::new("bash")
                .arg(root().join("tests/cluster/on.sh"))
                .arg(&self.dir)
                .arg(node)
                .args(["--", "crm_attribute", "-t", "crm_config", "-n", "maintenance-mode", "-v", "true"])
                .output();
        }
        // Idempotent: once more when it failed (a CI run saw one end early, after pacemakerd
        // ignored SIGTERM for 30 s, leaving namespaces and their holders behind), and say so.
        for attempt in 1..=2 {
            let stopped = Command::new("bash")
                .arg(root().join("tests/cluster").join(self.script))
                .arg("stop")
                .arg("--dir")
                .arg(&self.dir)
                .status();
            match stopped {
                Ok(s) if s.success() => return,
                other => eprintln!("{} stop (attempt {attempt}) failed: {other:?}", self.script),
            }
        }
    }
}

/// The reference example with the systemd agents swapped for runnable ones (and, on the single
/// loopback node, the VIP on `lo` and ping to 127.0.0.1).
pub fn runtime_example(single: bool) -> String {
    let mut t = example_text()
        .replace("{ agent: systemd:squid }", "{ agent: ocf:pacemaker:Dummy }")
        .replace("{ agent: systemd:unbound }", "{ agent: ocf:pacemaker:Dummy }")
        .replace("  stonith-enabled: false\n", "  stonith-enabled: false\n  dc-deadtime: 2s\n");
    if single {
        // The failover scenarios name the second node.
        t = without_scenarios(t)
            .replace("  t3022cent: { id: 2, addrs: [192.168.33.22, 192.168.22.22] }\n", "")
            .replace("addrs: [192.168.33.21, 192.168.22.21]", "addrs: [127.0.0.1]")
            .replace("quorum: { two_node: true }\n", "")
            .replace(
                "{ ip: 192.168.33.23, cidr_netmask: 24, nic: ens192 }",
                "{ ip: 127.0.0.99, cidr_netmask: 32, nic: lo }",
            )
            .replace("host_list: 192.168.33.31", "host_list: 127.0.0.1");
    }
    t
}

/// The runtime example's resources: rg-01 (its VIP, then squid) and the two clones.
pub const RUNTIME_RESOURCES: [&str; 4] = ["rs-vip-33", "rs-systemd-squid", "rs-systemd-unbound", "rs-ping-33"];

/// The two-node runtime example without its failover scenarios, with resource-stickiness: a
/// node joining or a quorum change is no reason for rg-01 to move.
pub fn sticky_two_node_file() -> String {
    format!("{}rsc_defaults: {{ resource-stickiness: 100 }}\n", without_scenarios(runtime_example(false)))
}

/// A two-node file with the spare host t3024cent as a third node (and so no `two_node`).
pub fn with_third_node(two: &str) -> String {
    two.replace("quorum: { two_node: true }\n", "").replace(
        "  t3022cent: { id: 2, addrs: [192.168.33.22, 192.168.22.22] }\n",
        "  t3022cent: { id: 2, addrs: [192.168.33.22, 192.168.22.22] }\n  t3024cent: { id: 3, addrs: [192.168.33.24, 192.168.22.24] }\n",
    )
}

/// Write an `ssh` stand-in that "connects" to the test cluster's nodes by entering their
/// namespaces (and fails like ssh, exit 255, for any other host), logging each host asked and
/// the program run there.
pub fn fake_ssh(c: &Cluster) -> (PathBuf, PathBuf) {
    let bin = c.work().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let log = c.work().join("ssh.log");
    let script = format!(
        r#"#!/usr/bin/env bash
host=""
while [ $# -gt 0 ]; do
  case "$1" in
    -o|-p|-l) shift 2 ;;
    --) shift; break ;;
    -*) shift ;;
    *) host=$1; shift ;;
  esac
done
echo "$host ${{1%% *}}" >> {log}
case "$host" in
  qnetd|qnetd2) exec bash {on} {dir} "$host" -- sh -c "$1" ;;
  t3021cent|t3022cent|t3024cent|t3025cent)
    # `systemctl stop|start pacemaker|corosync|corosync-qdevice`: the harness's node.sh (no
    # systemd: enable and disable do nothing).
    case "$1" in
      "systemctl "*)
        set -- $1
        case "$2" in enable|disable) exit 0 ;; esac
        unit=$3; [ "$unit" = pacemaker ] && unit=pacemakerd
        exec bash {node} {dir} "$host" "$2" "$unit" ;;
    esac
    exec bash {on} {dir} "$host" -- sh -c "$1" ;;
  *) echo "ssh: Could not resolve hostname $host: Name or service not known" >&2; exit 255 ;;
esac
"#,
        log = log.display(),
        on = root().join("tests/cluster/on.sh").display(),
        node = root().join("tests/cluster/node.sh").display(),
        dir = c.dir.display()
    );
    let path = bin.join("ssh");
    std::fs::write(&path, script).unwrap();
    Command::new("chmod").arg("+x").arg(&path).status().unwrap();
    (bin, log)
}

/// The hosts of the `ssh` stand-in's log (`HOST PROGRAM` lines), one a line.
pub fn hosts_asked(log: &str) -> String {
    log.lines().map(|l| format!("{}\n", l.split(' ').next().unwrap_or_default())).collect()
}

/// cibform run on this host with the `ssh` stand-in first in PATH; the log of hosts asked.
pub fn cibform_over_ssh(c: &Cluster) -> (impl Fn(&[&str]) -> Out + '_, PathBuf) {
    let (bin, log) = fake_ssh(c);
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let run = move |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_cibform"))
            .args(args)
            .current_dir(c.work())
            .env("PATH", &path)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        Out::from(out)
    };
    (run, log)
}

/// pcsd running on a harness node (tests/cluster/pcsd.sh); stopped by pid when dropped, so
/// declare it after the `Cluster` it runs on (dropped first).
pub struct PcsdOn<'a> {
    cluster: &'a Cluster,
    node: &'static str,
}

impl<'a> PcsdOn<'a> {
    pub fn start(cluster: &'a Cluster, node: &'static str, password_file: &Path) -> PcsdOn<'a> {
        let p = PcsdOn { cluster, node };
        p.script(&["start", password_file.to_str().unwrap()]);
        p
    }

    pub fn script(&self, args: &[&str]) {
        let out = Command::new("bash")
            .arg(root().join("tests/cluster/pcsd.sh"))
            .arg(args[0])
            .arg(&self.cluster.dir)
            .arg(self.node)
            .args(&args[1..])
            .output()
            .unwrap();
        assert!(out.status.success(), "pcsd.sh {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

impl Drop for PcsdOn<'_> {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(root().join("tests/cluster/pcsd.sh"))
            .arg("stop")
            .arg(&self.cluster.dir)
            .arg(self.node)
            .status();
    }
}

/// pcsd on several hosts of the lab, all with one `hacluster` password (in the work directory,
/// never on a command line), and the state directory of cibform's pins and tokens; each pcsd is
/// stopped when this is dropped, so declare it after the `Cluster`.
pub struct PcsdLab<'a> {
    cluster: &'a Cluster,
    pub password: PathBuf,
    pub state: PathBuf,
    _pcsd: Vec<PcsdOn<'a>>,
}

impl<'a> PcsdLab<'a> {
    pub fn start(cluster: &'a Cluster, hosts: &[&'static str]) -> PcsdLab<'a> {
        let password = cluster.write("pcsd-password", "Pw-live-123\n");
        let pcsd = hosts.iter().map(|h| PcsdOn::start(cluster, h, &password)).collect();
        PcsdLab { cluster, password, state: cluster.work().join("pcsd-state"), _pcsd: pcsd }
    }

    /// Plans and applies of the file through pcsd, logging in with the password.
    pub fn runs(&self) -> FileRuns<'_> {
        FileRuns::through_pcsd(self.cluster, &self.state, Some(&self.password))
    }

    /// The same with the tokens held only (no password).
    pub fn runs_with_tokens(&self) -> FileRuns<'_> {
        FileRuns::through_pcsd(self.cluster, &self.state, None)
    }
}

/// Run cibform on t3021cent with its pcsd pins and tokens in `state` and, when given, the
/// `hacluster` password from a file (never on the command line).
pub fn cibform_with_pcsd(c: &Cluster, state: &Path, password_file: Option<&Path>, args: &[&str]) -> Out {
    let state_env = format!("CIBFORM_PCSD_DIR={}", state.display());
    let pw_env = password_file.map(|p| format!("PCSD_PASSWORD_FILE={}", p.display()));
    let mut all = vec!["env", state_env.as_str()];
    all.extend(pw_env.as_deref());
    all.push(env!("CARGO_BIN_EXE_cibform"));
    all.extend_from_slice(args);
    c.on("t3021cent", &all)
}

/// `--pcsd` to both nodes of the two-node lab, cibform run on t3021cent.
const PCSD: [&str; 5] = ["--target", "local", "--pcsd", "pcsd://t3021cent,t3022cent", "--no-preview"];

/// Runs cibform with the given arguments, one way or another.
type Runner<'a> = dyn Fn(&[&str]) -> Out + 'a;

/// One test's plans and applies of its cluster file: the file is always the work directory's
/// `cluster.yaml`, and every run reaches the cluster the same way (`how`).
pub struct FileRuns<'a> {
    cluster: &'a Cluster,
    run: Rc<Runner<'a>>,
    how: Vec<&'a str>,
    apply_args: Vec<&'a str>,
}

impl<'a> FileRuns<'a> {
    /// From this host over the `ssh` stand-in, to both nodes of the two-node lab.
    pub fn over_ssh(c: &'a Cluster) -> FileRuns<'a> {
        let (run, _log) = cibform_over_ssh(c);
        let how = vec!["--target", "ssh://t3021cent,t3022cent"];
        FileRuns { cluster: c, run: Rc::new(run), how, apply_args: Vec::new() }
    }

    /// On t3021cent through pcsd (`PCSD`), its pins and tokens in `state`, with the `hacluster`
    /// password when given.
    pub fn through_pcsd(c: &'a Cluster, state: &'a Path, password: Option<&'a Path>) -> FileRuns<'a> {
        let run = move |args: &[&str]| cibform_with_pcsd(c, state, password, args);
        FileRuns { cluster: c, run: Rc::new(run), how: PCSD.to_vec(), apply_args: Vec::new() }
    }

    /// These runs with `args` on every apply (e.g. `--allow-destroy`).
    pub fn applying_with(mut self, args: &[&'a str]) -> FileRuns<'a> {
        self.apply_args.extend_from_slice(args);
        self
    }

    /// These runs reaching the cluster as `how` says instead (e.g. without `--pcsd`).
    pub fn how(&self, how: &[&'a str]) -> FileRuns<'a> {
        let (cluster, run, apply_args) = (self.cluster, self.run.clone(), self.apply_args.clone());
        FileRuns { cluster, run, how: how.to_vec(), apply_args }
    }

    /// `plan --detailed-exitcode` of the file as it is.
    pub fn plan(&self) -> Out {
        self.plan_with(&["--detailed-exitcode"])
    }

    /// The file's plan is empty.
    pub fn assert_nothing_left(&self) {
        let plan = self.plan();
        assert_eq!(plan.code, 0, "nothing left to do:\n{}", plan.snapshot());
    }

    /// Write `yaml` as the file: its plan has changes and says each of `plan_says`. Then apply
    /// it, which succeeds; the apply's output.
    pub fn plan_and_apply(&self, yaml: &str, plan_says: &[&str]) -> Out {
        self.cluster.write("cluster.yaml", yaml);
        let plan = self.plan();
        assert_eq!(plan.code, 2, "{}", plan.snapshot());
        for line in plan_says {
            assert!(plan.stdout.contains(line), "the plan does not say {line:?}:\n{}", plan.stdout);
        }
        let out = self.apply(yaml);
        assert_eq!(out.code, 0, "{}", out.snapshot());
        out
    }

    /// `plan` of the file as it is, with `args`.
    pub fn plan_with(&self, args: &[&str]) -> Out {
        self.run_file("plan", args)
    }

    /// Write `yaml` as the file and apply it (`--auto-approve`), saying how long it took.
    pub fn apply(&self, yaml: &str) -> Out {
        self.apply_with(yaml, &[])
    }

    /// `apply` with `args` too (e.g. `--allow-cluster-restart`).
    pub fn apply_with(&self, yaml: &str, args: &[&str]) -> Out {
        self.cluster.write("cluster.yaml", yaml);
        let started = Instant::now();
        let out = self.run_file("apply", &[&["--auto-approve"][..], &self.apply_args, args].concat());
        eprintln!("apply took {:.1} s", started.elapsed().as_secs_f64());
        out
    }

    fn run_file(&self, verb: &str, args: &[&str]) -> Out {
        let file = self.cluster.work().join("cluster.yaml");
        let all = [&[verb, file.to_str().unwrap()][..], args, &self.how].concat();
        (self.run)(&all)
    }
}

/// Each of `steps` is a line (or part of one) that `out` said on stderr.
pub fn said(out: &Out, steps: &[&str]) {
    for step in steps {
        assert!(out.stderr.contains(step), "{step}:\n{}", out.stderr);
    }
}

/// The nodes of the two-node lab, which stay while spare hosts join and leave.
pub const FIRST_TWO: [&str; 2] = ["t3021cent", "t3022cent"];

/// Resource starts (`Cluster::starts`) on the first two nodes only.
pub fn starts_on_first_two(c: &Cluster) -> BTreeMap<String, Vec<u64>> {
    let on_spare = |k: &str| k.split_once('@').is_some_and(|(_, node)| !FIRST_TWO.contains(&node));
    c.starts("t3021cent").into_iter().filter(|(k, _)| !on_spare(k)).collect()
}

/// How many corosync members `node` sees joined.
pub fn corosync_members(c: &Cluster, node: &str) -> usize {
    let m = c.on(node, &["corosync-cmapctl", "-b", "runtime.members"]).stdout;
    m.matches(".status (str) = joined").count()
}

/// `joined` (name, node id) are in the cluster with the first two: every node's corosync.conf
/// names them and has no `two_node`, every node sees all as corosync members, Pacemaker lists
/// each as a member with its id, and crm_mon shows all online (waits 60 s at most for that).
pub fn assert_joined(c: &Cluster, joined: &[(&str, u32)]) {
    let all: Vec<&str> = FIRST_TWO.iter().copied().chain(joined.iter().map(|(n, _)| *n)).collect();
    for node in &all {
        let text = c.corosync_conf(node);
        let named = joined.iter().all(|(n, _)| text.contains(&format!("name: {n}")));
        assert!(named && !text.contains("two_node"), "{node}:\n{text}");
        assert_eq!(corosync_members(c, node), all.len(), "{node}");
    }
    let crm_node = c.on("t3022cent", &["crm_node", "-l"]).stdout;
    assert_eq!(crm_node.matches(" member").count(), all.len(), "{crm_node}");
    assert!(joined.iter().all(|(n, id)| crm_node.contains(&format!("{id} {n} member"))), "{crm_node}");
    let online = format!("Online: [ {} ]", all.join(" "));
    c.until(&format!("{} online in crm_mon", all.join(", ")), 60, || {
        c.on("t3021cent", &["crm_mon", "-1"]).stdout.contains(&online)
    });
}

/// `left` are out of the cluster: the first two nodes' corosync.conf does not name them and has
/// `two_node` back, each sees two corosync members and no peer cache lists them, not even as
/// `lost`; crm_mon shows the first two online and nothing of them.
pub fn assert_left(c: &Cluster, left: &[&str]) {
    for node in FIRST_TWO {
        let text = c.corosync_conf(node);
        assert!(left.iter().all(|l| !text.contains(l)) && text.contains("two_node: 1"), "{node}:\n{text}");
        assert_eq!(corosync_members(c, node), 2, "{node}");
        let crm_node = c.on(node, &["crm_node", "-l"]).stdout;
        assert_eq!(crm_node.matches(" member").count(), 2, "{node}: {crm_node}");
        assert!(left.iter().all(|l| !crm_node.contains(l)), "{node}: {crm_node}");
    }
    let mon = c.on("t3022cent", &["crm_mon", "-1"]).stdout;
    assert!(mon.contains("Online: [ t3021cent t3022cent ]") && left.iter().all(|l| !mon.contains(l)), "{mon}");
}
