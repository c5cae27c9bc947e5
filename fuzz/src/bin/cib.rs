//! AFL target: `cibform_fuzz::cib` on each input (see ../lib.rs).

fn main() {
    afl::fuzz!(|data: &[u8]| {
        cibform_fuzz::cib(data);
    });
}
