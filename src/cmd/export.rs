//! `peer-eval export`: the validated records of a period as tables for analysts
//! (see [`crate::export`]).

use std::collections::HashSet;
use std::path::PathBuf;

use super::{exit, load_config, Failure};
use crate::cli::ExportArgs;
use crate::export::{partition_value, tables, Pseudonyms};
use crate::model::Dataset;
use crate::period::Period;

/// Said on every export, before anything is written.
pub const NOTICE: &str = "These tables are row-level personal data for the programme team, not for publication: ids are pseudonymised and contacts masked, but small-cell suppression cannot protect single rows.";

/// Run `export`.
///
/// # Errors
/// A [`Failure`] with the documented exit code.
pub fn export(args: &ExportArgs) -> Result<u8, Failure> {
    let parquet = match args.format.as_str() {
        "csv" => false,
        "parquet" if cfg!(feature = "parquet") => true,
        "parquet" => {
            return Err(Failure::new(
                exit::USAGE,
                "--format parquet: this build has no Parquet writer (built without the `parquet` feature); use --format csv",
            ))
        }
        other => return Err(Failure::new(exit::USAGE, format!("--format {other}: use parquet or csv"))),
    };
    let config = load_config(&args.common)?;
    let period = match &args.period {
        Some(text) => Period::parse(text).map_err(|err| Failure::new(exit::USAGE, format!("--period: {err}")))?,
        None => Period::all(),
    };
    eprintln!("{NOTICE}");
    let ingested = crate::ingest::ingest_rows(&args.common.input, &config, &|_| {}).map_err(|err| {
        Failure::new(
            exit::NO_INPUT,
            format!("no usable input: cannot read the input folder `{}`: {err}", args.common.input.display()),
        )
    })?;
    let data = of_period(ingested.data, &period);
    let ids = Pseudonyms::new(config.privacy.pseudonym_key.as_deref());
    let configured = config.report.programme.as_deref().filter(|p| !p.trim().is_empty());
    let programme = configured.unwrap_or(&config.report.title);
    if configured.is_none() {
        eprintln!(
            "warning: report.programme is not set, so the export is named after the report's title (`{programme}`); set it, so that exports of different programmes in one folder do not replace each other and a portfolio tells them apart"
        );
    }
    let dir: PathBuf = args
        .out
        .join(format!("programme={}", partition_value(programme)))
        .join(format!("period={}", partition_value(&period.label)));
    let write_failure = |err: std::io::Error| {
        Failure::new(exit::OUTPUT, format!("cannot write the tables under `{}`: {err}", dir.display()))
    };
    std::fs::create_dir_all(&dir).map_err(write_failure)?;
    let tables = tables(&data, &ingested.issues, &config, &ids);
    // The records are in the tables now.
    drop(data);
    let manifest = crate::export::Manifest {
        programme: programme.to_string(),
        period: period.label.clone(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        tables: tables.iter().map(|t| (t.name.to_string(), t.rows())).collect(),
        programme_configured: configured.is_some(),
        pseudonym_key: Some(ids.fingerprint()),
    };
    let manifest = crate::report::json::to_sorted_json(&manifest);
    for table in tables {
        let (bytes, extension) = if parquet { (parquet_bytes(&table)?, "parquet") } else { (table.to_csv(), "csv") };
        std::fs::write(dir.join(format!("{}.{extension}", table.name)), bytes).map_err(write_failure)?;
        // An earlier export in the other format would be read instead of this one.
        let other = if parquet { "csv" } else { "parquet" };
        match std::fs::remove_file(dir.join(format!("{}.{other}", table.name))) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => return Err(write_failure(err)),
            _ => {}
        }
        if !args.quiet {
            eprintln!("  {:<13} {:>8} rows", table.name, table.rows());
        }
    }
    std::fs::write(dir.join(crate::export::MANIFEST), manifest).map_err(write_failure)?;
    if !args.quiet {
        eprintln!("wrote {}", dir.display());
    }
    Ok(exit::OK)
}

#[cfg(feature = "parquet")]
fn parquet_bytes(table: &crate::export::Table) -> Result<Vec<u8>, Failure> {
    table.to_parquet().map_err(|err| Failure::new(exit::OUTPUT, format!("cannot write {}.parquet: {err}", table.name)))
}

#[cfg(not(feature = "parquet"))]
fn parquet_bytes(_table: &crate::export::Table) -> Result<Vec<u8>, Failure> {
    unreachable!("--format parquet is refused without the parquet feature")
}

/// The activities starting in `period` (whatever their status) and the records
/// of those activities; needs and country profiles whole.
fn of_period(data: Dataset, period: &Period) -> Dataset {
    let activities: Vec<_> = data.activities.into_iter().filter(|a| period.contains(a.start)).collect();
    let ids: HashSet<String> = activities.iter().map(|a| a.id.clone()).collect();
    Dataset {
        participants: data.participants.into_iter().filter(|p| ids.contains(&p.activity_id)).collect(),
        followups: data.followups.into_iter().filter(|f| ids.contains(&f.activity_id)).collect(),
        responses: data.responses.into_iter().filter(|r| ids.contains(&r.activity_id)).collect(),
        needs: data.needs,
        countries: data.countries,
        activities,
    }
}
