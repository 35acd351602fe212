//! Memory benchmark (harness = false): batched insert throughput, then retrieve latency
//! p50/p99 at growing store sizes, each compared in the same run with a linear scan over the
//! same entries held in memory (upstream's keyword search, spec 5.3).
//!
//! `cargo bench --bench memory` runs 10k and 100k; add `-- --full` for 1M too.
//!
//! One `--full` run (2026-11-28, Xeon, 2 shared cores; "batched" is the mean over all
//! inserts up to that size, scan/FTS the same-run ratio of the medians):
//!
//! ```text
//! size   insert batched   FTS p50 / p99        scan p50 / p99          scan/FTS p50
//! 10k    41k/s            1.05 / 5.1 ms        4.3 / 9.4 ms            4.1x
//! 100k   33k/s            3.4 / 9.5 ms         48 / 99 ms              14.1x
//! 1M     13k/s            20.4 / 77 ms         562 / 1066 ms           27.5x
//! ```
//! Before the indexing change (per-row FTS trigger) the same insert loop ran at 13–15k/s
//! where the new code ran at 22–35k/s, alternating runs on the same loaded machine.

use std::sync::Arc;
use std::time::{Duration, Instant};

use orchestrator_daemon::memory::{
    EntryType, ManualClock, MemoryConfig, MemoryStore, NewEntry, Tier,
};

const NOW: i64 = 1_793_491_200_000;
const QUERIES: usize = 200;
const BATCH: usize = 5_000;

/// xorshift64*: deterministic data without a rand dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A 20k-word vocabulary drawn with a Zipf law, like real text: a few words are everywhere.
struct Corpus {
    words: Vec<String>,
    cumulative: Vec<f64>,
    rng: Rng,
}

impl Corpus {
    fn new() -> Self {
        const SYLLABLES: [&str; 16] = [
            "ka", "lo", "mi", "ne", "ru", "sa", "te", "vo", "bri", "cho", "dan", "fel", "gor",
            "hux", "jin", "pex",
        ];
        let words: Vec<String> = (0..20_000usize)
            .map(|i| {
                let mut n = i + 16;
                let mut w = String::new();
                while n > 0 {
                    w.push_str(SYLLABLES[n % 16]);
                    n /= 16;
                }
                w
            })
            .collect();
        let mut total = 0.0;
        let cumulative = (0..words.len())
            .map(|r| {
                total += 1.0 / (r as f64 + 1.0);
                total
            })
            .collect();
        Self {
            words,
            cumulative,
            rng: Rng(0x9E37_79B9_7F4A_7C15),
        }
    }

    fn word(&mut self) -> &str {
        let total = self.cumulative.last().copied().unwrap_or(1.0);
        let x = (self.rng.next() as f64 / u64::MAX as f64) * total;
        let index = self
            .cumulative
            .partition_point(|c| *c < x)
            .min(self.words.len() - 1);
        &self.words[index]
    }

    fn text(&mut self, min: usize, max: usize) -> String {
        let n = min + self.rng.below(max - min + 1);
        (0..n)
            .map(|_| self.word().to_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Upstream's keyword scoring (spec 5.3) over lowercased contents: the baseline.
fn linear_scan(contents: &[String], query: &str, limit: usize) -> usize {
    let terms: Vec<String> = query
        .to_lowercase()
        .split_whitespace()
        .filter(|t| t.len() > 1)
        .map(str::to_owned)
        .collect();
    let mut hits: Vec<(f64, usize)> = Vec::new();
    for (index, content) in contents.iter().enumerate() {
        let mut matched = 0;
        let mut occurrences = 0;
        for term in &terms {
            let count = content.matches(term.as_str()).count();
            if count > 0 {
                matched += 1;
                occurrences += count;
            }
        }
        if matched == 0 {
            continue;
        }
        let score = (0.7 * matched as f64 / terms.len() as f64
            + (0.02 * occurrences as f64).min(0.3)
            + 0.1)
            .min(1.0);
        hits.push((score, index));
    }
    hits.sort_by(|a, b| b.0.total_cmp(&a.0));
    hits.truncate(limit);
    hits.len()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown cpu".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cpu}, {cores} cores")
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let full = std::env::args().any(|a| a == "--full");
    let sizes: &[usize] = if full {
        &[10_000, 100_000, 1_000_000]
    } else {
        &[10_000, 100_000]
    };
    println!("machine: {}", machine());
    let dir = std::env::temp_dir().join(format!("memory-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let config = MemoryConfig {
        episodic_budget: 10_000_000,
        max_content_bytes: 64 * 1024,
        ..MemoryConfig::default()
    };
    let store = MemoryStore::open(
        dir.join("orchestrator.db"),
        config,
        Arc::new(ManualClock::new(NOW)),
    )?;
    let mut corpus = Corpus::new();
    let mut contents: Vec<String> = Vec::new();
    let mut insert_time = Duration::ZERO;

    // Unbatched adds, one at a time from one thread: the worst case for the writer.
    let single = 2_000;
    let started = Instant::now();
    for i in 0..single {
        let text = format!("{} {i}", corpus.text(8, 24));
        contents.push(text.to_lowercase());
        store.add(
            Tier::Episodic,
            NewEntry::new(text, EntryType::Observation).at(NOW - (i as i64 % 30) * 86_400_000),
        )?;
    }
    let single_rate = single as f64 / started.elapsed().as_secs_f64();
    println!("insert, one add per call:      {single_rate:>9.0} entries/s");

    for &size in sizes {
        while contents.len() < size {
            let n = BATCH.min(size - contents.len());
            let batch: Vec<NewEntry> = (0..n)
                .map(|_| {
                    let i = contents.len();
                    let text = format!("{} {i}", corpus.text(8, 24));
                    contents.push(text.to_lowercase());
                    let age = (corpus.rng.below(30 * 24) as i64) * 3_600_000;
                    NewEntry::new(text, EntryType::Observation)
                        .with_session(format!("s{}", i % 50))
                        .at(NOW - age)
                })
                .collect();
            let started = Instant::now();
            store.add_batch(Tier::Episodic, batch)?;
            insert_time += started.elapsed();
        }
        let batched = (contents.len() - single) as f64 / insert_time.as_secs_f64();
        let queries: Vec<String> = (0..QUERIES)
            .map(|i| corpus.text(1 + i % 3, 1 + i % 3))
            .collect();
        let mut fts = Vec::with_capacity(QUERIES);
        let mut scan = Vec::with_capacity(QUERIES);
        let mut found = 0;
        for query in &queries {
            let started = Instant::now();
            found += store.retrieve(query, None, 10)?.len();
            fts.push(started.elapsed());
            let started = Instant::now();
            std::hint::black_box(linear_scan(&contents, query, 10));
            scan.push(started.elapsed());
        }
        fts.sort();
        scan.sort();
        let (f50, f99, s50, s99) = (
            percentile(&fts, 0.5),
            percentile(&fts, 0.99),
            percentile(&scan, 0.5),
            percentile(&scan, 0.99),
        );
        println!(
            "{size:>9} entries: insert batched {batched:>8.0}/s | retrieve FTS p50 {:>8.3} ms p99 {:>8.3} ms \
             | linear scan p50 {:>8.3} ms p99 {:>8.3} ms | scan/FTS p50 {:>6.1}x p99 {:>6.1}x | avg hits {:.1}",
            ms(f50),
            ms(f99),
            ms(s50),
            ms(s99),
            s50.as_secs_f64() / f50.as_secs_f64(),
            s99.as_secs_f64() / f99.as_secs_f64(),
            found as f64 / QUERIES as f64,
        );
    }
    let db_bytes = std::fs::metadata(dir.join("orchestrator.db")).map_or(0, |m| m.len());
    println!("database file: {:.1} MiB", db_bytes as f64 / 1_048_576.0);
    store.close();
    drop(store);
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
