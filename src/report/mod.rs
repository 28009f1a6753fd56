//! Deliverables written from computed [`Results`](crate::indicators::Results):
//! `indicators.json` and `run.json`.

pub mod json;
