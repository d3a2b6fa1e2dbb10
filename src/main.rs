fn main() -> std::process::ExitCode {
    qstash_lint::cli::main()
}
