//! Benchmarks of the Bitrix24 SDK; see `bench/README.md`.
//!
//! The library holds what the benchmark programs share: the synthetic spec generator used by
//! the compile-time benchmark ([`specgen`]) and the arithmetic of the throughput report
//! ([`limit`]).

pub mod limit;
pub mod specgen;
