//! A crate with a build script: uses both `cargo:rustc-env` (via `env!`) and a
//! file generated into OUT_DIR (via `include!`).

include!(concat!(env!("OUT_DIR"), "/generated.rs"));

/// The greeting word, set by build.rs through `cargo:rustc-env`.
pub const GREETING: &str = env!("DISTBUILD_GREETING");
