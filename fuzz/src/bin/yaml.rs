//! AFL target: `cibform_fuzz::yaml` on each input (see ../lib.rs).

fn main() {
    afl::fuzz!(|data: &[u8]| {
        cibform_fuzz::yaml(data);
    });
}
