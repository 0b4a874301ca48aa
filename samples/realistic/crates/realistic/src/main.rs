//! `realistic`: the binary of the DistBuild "realistic" sample.
//!
//! Uses clap (derive), anyhow, env_logger/log, rand + rand_chacha (seeded, so
//! deterministic), serde/serde_json and the workspace library `textstats`.
//! With no arguments it prints exactly one known line (see samples/README.md).

use anyhow::{Context, Result};
use clap::Parser;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// Word statistics over a built-in corpus.
#[derive(Debug, Parser)]
#[command(name = "realistic", version, about)]
struct Args {
    /// How many of the most frequent words to report.
    #[arg(long, default_value_t = 3)]
    top: usize,
    /// Seed of the deterministic random number generator.
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

#[derive(Debug, Serialize)]
struct Report {
    words: usize,
    unique: usize,
    top: Vec<String>,
    pick: String,
    roll: u32,
}

fn main() -> Result<()> {
    // Logs go to stderr and are off unless RUST_LOG is set.
    env_logger::Builder::new()
        .parse_env(env_logger::Env::default())
        .init();
    let args = Args::parse();
    let stats = textstats::analyze(textstats::CORPUS, args.top).context("analyzing corpus")?;
    log::info!("stats: {:?}", stats);

    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
    let pick = stats
        .top
        .choose(&mut rng)
        .map(|w| w.word.clone())
        .context("no words")?;
    let roll = rng.gen_range(1..=100);

    let report = Report {
        words: stats.words,
        unique: stats.unique,
        top: stats.top.iter().map(|w| format!("{}:{}", w.word, w.count)).collect(),
        pick,
        roll,
    };
    println!("realistic: {}", serde_json::to_string(&report)?);
    Ok(())
}
