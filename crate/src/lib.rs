//! concurrency-playground: the same Rust workloads under four concurrency models (sequential,
//! threads with and without a GIL, processes, async), measured side by side in the browser.
//!
//! [`workloads`] holds the pure kernels, [`lanes`] the concurrency around them, and the `wasm`
//! module the small flat API the page's workers call.

#[cfg(all(
    target_arch = "wasm32",
    feature = "threads",
    not(target_feature = "atomics")
))]
compile_error!(
    "the threads build needs shared memory: build it with `--config .cargo/threads.toml` \
     (atomics, bulk-memory and the --shared-memory link args, see rust-lang/rust#147225)"
);

pub mod alloc;
pub mod budget;
pub mod error;
pub mod lanes;
pub mod schema;
pub mod serve;
pub mod spec;
pub mod trace;
pub mod workloads;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use error::Error;

/// `initThreadPool(n)`: starts rayon's workers; resolves once all of them run.
#[cfg(all(target_arch = "wasm32", feature = "threads"))]
pub use wasm_bindgen_rayon::init_thread_pool;
