//! `cargo run --release --example gencluster -- N DIR`: write a shaped N-primitive cluster.
//!
//! DIR gets `cluster.yaml` and `cib.xml` (the cluster as applied), `changed.yaml` and
//! `changed-cib.xml` (1% of the primitives edited): the pairs that `tools/compare.sh` and the
//! benches plan and diff. See `shape.rs` for the layout.

mod shape;

use std::path::PathBuf;

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(n), Some(dir)) = (args.first().and_then(|a| a.parse::<usize>().ok()), args.get(1)) else {
        eprintln!("usage: gencluster N DIR");
        return std::process::ExitCode::from(1);
    };
    let dir = PathBuf::from(dir);
    if let Err(e) = write(n, &dir) {
        eprintln!("gencluster: {}: {e}", dir.display());
        return std::process::ExitCode::from(1);
    }
    std::process::ExitCode::SUCCESS
}

fn write(n: usize, dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (changed, yaml_name, cib_name) in
        [(false, "cluster.yaml", "cib.xml"), (true, "changed.yaml", "changed-cib.xml")]
    {
        let y = shape::yaml(n, changed);
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
