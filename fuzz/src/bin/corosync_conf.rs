//! AFL target: `cibform_fuzz::corosync_conf` on each input (see ../lib.rs).

fn main() {
    afl::fuzz!(|data: &[u8]| {
        cibform_fuzz::corosync_conf(data);
    });
}
