//! `page-data`: prints what the page and the Python bridge read from the crate and no run changes
//! (the spec's schema, the serve options, the bridge's constants) as one JSON document. The build
//! (scripts/page-data.mjs) runs it, so the wasm the page loads carries none of it.
// The workspace-wide wasm32 clippy passes visit this crate too; there it is empty (see Cargo.toml).
#![cfg_attr(target_arch = "wasm32", no_main)]

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    let data = concurrency_playground::schema::page_data();
    // Serialising plain structs of strings and numbers cannot fail.
    println!(
        "{}",
        serde_json::to_string(&data).expect("page data serialises")
    );
}
