// The analysis allocates many small, short-lived values (names, folded
// candidates, facts); mimalloc serves them far faster than the system
// allocator (the same choice as ruff and oxlint).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    qstash_lint::cli::main()
}
