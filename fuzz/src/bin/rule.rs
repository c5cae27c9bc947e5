//! AFL target: `cibform_fuzz::rule` on each input (see ../lib.rs).

fn main() {
    afl::fuzz!(|data: &[u8]| {
        cibform_fuzz::rule(data);
    });
}
