fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(cibform::cli::main())
}
