//! One integration-test binary; a module per feature.

mod common;

mod acceptance;
mod analyst;
mod annotate;
mod architecture;
mod cli;
mod corpus;
mod direct;
mod evaluation;
mod exports;
mod figures;
mod hardening;
mod hostile;
mod ingest;
mod init;
mod periodic;
mod portfolio;
mod realinputs;
mod reports;
mod sample;
