//! AFL target: `cibform_fuzz::planfile` on each input (see ../lib.rs).

fn main() {
    afl::fuzz!(|data: &[u8]| {
        cibform_fuzz::planfile(data);
    });
}
