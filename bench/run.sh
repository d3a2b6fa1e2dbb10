#!/usr/bin/env bash
# Runs the project benchmark (examples/bench/) in release mode.
# Every argument is passed through, e.g.:
#   bench/run.sh --files 50000 --threads 1 --runs 5
#   bench/run.sh --stress --runs 1
#   bench/run.sh --corpus /tmp/dev-corpus
# Relative --dir paths are taken from the current directory.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec cargo run --quiet --release --manifest-path "$root/Cargo.toml" --example bench -- "$@"
