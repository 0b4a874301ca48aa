//! Small text-statistics library used by the `realistic` DistBuild sample.
//!
//! It deliberately pulls in a handful of popular crates (regex, itertools,
//! once_cell, serde with derive, thiserror, log) so that the sample has a
//! realistic dependency graph with build scripts and proc macros.

use itertools::Itertools;
use once_cell::sync::Lazy;
use regex::Regex;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The built-in corpus; embedded so nothing is read from disk at runtime.
pub const CORPUS: &str = "\
DistBuild distributes the compilation of Rust crates across a cluster. \
Every crate is compiled by rustc, and every rustc invocation is a unit of work. \
A unit of work that is cached is never compiled twice; a unit of work that is \
not cached is compiled by a worker and the outputs are sent back to the build.";

static WORD: Lazy<Regex> = Lazy::new(|| Regex::new(r"[A-Za-z]+").expect("valid regex"));

/// Errors reported by [`analyze`].
#[derive(Debug, Error, PartialEq, Eq)]
pub enum StatsError {
    #[error("the text contains no words")]
    Empty,
    #[error("top must be at least 1, got {0}")]
    BadTop(usize),
}

/// A word together with how often it occurs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WordCount {
    pub word: String,
    pub count: usize,
}

/// Statistics over a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    pub words: usize,
    pub unique: usize,
    pub top: Vec<WordCount>,
}

/// Counts the (lower-cased) words of `text` and returns the `top` most
/// frequent ones, ties broken alphabetically so the result is deterministic.
pub fn analyze(text: &str, top: usize) -> Result<Stats, StatsError> {
    if top == 0 {
        return Err(StatsError::BadTop(top));
    }
    let words: Vec<String> = WORD
        .find_iter(text)
        .map(|m| m.as_str().to_lowercase())
        .collect();
    if words.is_empty() {
        return Err(StatsError::Empty);
    }
    let counts = words.iter().counts();
    log::debug!("{} words, {} distinct", words.len(), counts.len());
    let top = counts
        .iter()
        .sorted_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)))
        .take(top)
        .map(|(w, c)| WordCount { word: (*w).clone(), count: *c })
        .collect();
    Ok(Stats { words: words.len(), unique: counts.len(), top })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_words() {
        let s = analyze("b a b", 1).unwrap();
        assert_eq!(s.words, 3);
        assert_eq!(s.unique, 2);
        assert_eq!(s.top, vec![WordCount { word: "b".into(), count: 2 }]);
    }

    #[test]
    fn rejects_empty() {
        assert_eq!(analyze("123 ...", 3), Err(StatsError::Empty));
        assert_eq!(analyze("a", 0), Err(StatsError::BadTop(0)));
    }
}
