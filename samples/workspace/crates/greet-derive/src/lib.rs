//! A derive macro written with nothing but the compiler's `proc_macro` crate
//! (no syn, no quote).
//!
//! `#[derive(Greet)]` on `struct Foo` (or enum/union `Foo`) generates
//! `impl Foo { pub const GREET_NAME: &'static str = "foo"; }`, i.e. the
//! lower-cased type name.

use proc_macro::{TokenStream, TokenTree};

#[proc_macro_derive(Greet)]
pub fn derive_greet(input: TokenStream) -> TokenStream {
    let mut tokens = input.into_iter();
    let mut name = None;
    while let Some(tt) = tokens.next() {
        if let TokenTree::Ident(ident) = &tt {
            let kw = ident.to_string();
            if kw == "struct" || kw == "enum" || kw == "union" {
                if let Some(TokenTree::Ident(n)) = tokens.next() {
                    name = Some(n.to_string());
                }
                break;
            }
        }
    }
    let name = match name {
        Some(n) => n,
        None => {
            return "compile_error!(\"#[derive(Greet)] expects a struct, enum or union\");"
                .parse()
                .unwrap()
        }
    };
    // Generic types are not supported: keep the sample minimal.
    format!(
        "impl {name} {{ pub const GREET_NAME: &'static str = {lit:?}; }}",
        lit = name.to_lowercase()
    )
    .parse()
    .unwrap()
}
