// mimalloc: malloc/free were a third of a 10,000-primitive plan's profile with glibc's allocator
// (many small strings and trees; issue 13).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cibform::memory::no_huge_pages();
    std::process::ExitCode::from(cibform::cli::main())
}
