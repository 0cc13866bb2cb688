//! `native-reference`: the playground's kernels and lanes run natively, with the same spec, so the
//! browser's figures can be set against what this machine does without a browser in the way.
//!
//! Every lane runs one untimed warm-up and then `--repeats` timed runs; every run's checksum must
//! match the sequential one, or the comparison means nothing and the program fails.
// The workspace-wide wasm32 clippy passes visit this crate too; there it is empty (see Cargo.toml).
#![cfg_attr(target_arch = "wasm32", no_main)]

#[cfg(not(target_arch = "wasm32"))]
mod args;
#[cfg(not(target_arch = "wasm32"))]
mod processes;
#[cfg(not(target_arch = "wasm32"))]
mod reference;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    reference::main()
}
