//! Prints exactly `hello from distbuild: 42`.
//!
//! Each part of the line comes from a different crate of the workspace:
//! - "hello": `buildinfo::GREETING` (build.rs, `cargo:rustc-env`, `env!`)
//! - "distbuild": `#[derive(Greet)]` from the `greet-derive` proc macro
//! - 42: `mathlib::multiply(buildinfo::FACTOR, mathlib::SEVEN)`, where FACTOR
//!   is generated into OUT_DIR by build.rs and `include!`d.

use greet_derive::Greet;

#[derive(Greet)]
struct DistBuild;

fn main() {
    let answer = mathlib::multiply(buildinfo::FACTOR, mathlib::SEVEN);
    println!(
        "{} from {}: {}",
        buildinfo::GREETING,
        DistBuild::GREET_NAME,
        answer
    );
}
