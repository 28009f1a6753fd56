//! peer-eval: evaluates peer-learning programmes between public administrations
//! from the spreadsheets staff keep, and publishes figures funders can trust.
//!
//! Data flows one way: [`ingest`] reads and validates the inputs into typed
//! [`model`] records and [`quality`] issues; [`indicators`] computes the figures
//! of one [`period`]; [`report`] writes them; [`publish`] swaps them in atomically.
//! Every stage reads [`config`] and the leaves [`schema`] (the shared vocabulary),
//! [`registry`] (every indicator, once) and [`text`]; no module imports a later
//! stage (`tests/integration/architecture.rs` checks it; `docs/architecture.md`
//! draws it).

pub mod annotate;
pub mod answers;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod export;
pub mod indicators;
pub mod ingest;
pub mod init;
pub mod model;
pub mod period;
pub mod portfolio;
pub mod publish;
pub mod quality;
pub mod registry;
pub mod report;
pub mod schema;
pub mod synth;
pub mod text;
