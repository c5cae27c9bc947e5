//! `cargo run --release --example gencluster -- N DIR`: write a shaped N-primitive cluster.
//!
//! DIR gets `cluster.yaml` and `cib.xml` (the cluster as applied), `changed.yaml` and
//! `changed-cib.xml` (1% of the primitives edited): the pairs that `tools/compare.sh` and the
//! benches plan and diff. See `shape.rs` for the layout. With `--lab` the files are for the
//! one-node lab cluster instead (its name and node, nothing started: `tools/live-scale.sh`).

mod shape;

use std::path::PathBuf;

fn main() -> std::process::ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let lab = args.iter().any(|a| a == "--lab");
    args.retain(|a| a != "--lab");
    let (Some(n), Some(dir), None) = (args.first().and_then(|a| a.parse::<usize>().ok()), args.get(1), args.get(2))
    else {
        eprintln!("usage: gencluster [--lab] N DIR");
        return std::process::ExitCode::from(1);
    };
    let dir = PathBuf::from(dir);
    let head = if lab { shape::LAB_HEAD } else { shape::HEAD };
    if let Err(e) = write(head, n, &dir) {
        eprintln!("gencluster: {}: {e}", dir.display());
        return std::process::ExitCode::from(1);
    }
    std::process::ExitCode::SUCCESS
}

fn write(head: &str, n: usize, dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (changed, yaml_name, cib_name) in
        [(false, "cluster.yaml", "cib.xml"), (true, "changed.yaml", "changed-cib.xml")]
    {
        let y = shape::yaml_with(head, n, changed);
        let mut cib = shape::cib(&y);
        if changed {
            // A later epoch, as after an update: `cibadmin --patch` refuses an older one.
            cib = cib.replacen(" epoch=\"2\"", " epoch=\"3\"", 1);
        }
        std::fs::write(dir.join(cib_name), cib)?;
        std::fs::write(dir.join(yaml_name), y)?;
    }
    Ok(())
}
