//! `peer-eval export`: the validated records of a period as tables for analysts
//! (see [`crate::export`]).

use std::collections::HashSet;
use std::path::PathBuf;

use super::{exit, load_config, Failure};
use crate::cli::ExportArgs;
use std::fs::File;
use std::io::{BufWriter, Write};

use crate::export::{partition_value, responses_table, tables, Pseudonyms, TableWriter, WriteError};
use crate::model::Dataset;
use crate::model::Response;
use crate::period::Period;

/// Writes a table's batches into its file; returns the rows written.
type Batches<'a> = dyn FnMut(&mut TableWriter<BufWriter<File>>) -> Result<usize, WriteError> + 'a;

/// Responses per batch written: the rows of one batch are in memory twice (as
/// records and as columns), never the whole table.
const RESPONSE_BATCH: usize = 65_536;

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
    let mut data = data;
    let mut responses = std::mem::take(&mut data.responses);
    let tables = tables(&data, &ingested.issues, &config, &ids);
    // The records are in the tables now.
    drop(data);
    let extension = if parquet { "parquet" } else { "csv" };
    let other = if parquet { "csv" } else { "parquet" };
    let mut rows = std::collections::BTreeMap::new();
    let mut write = |name: &str, batches: &mut Batches| {
        let path = dir.join(format!("{name}.{extension}"));
        let failure = |err: WriteError| Failure::new(exit::OUTPUT, format!("cannot write `{}`: {err}", path.display()));
        let file = File::create(&path).map_err(|err| failure(err.into()))?;
        let mut writer = TableWriter::new(BufWriter::new(file), parquet);
        let count = batches(&mut writer).map_err(failure)?;
        let mut out = writer.finish().map_err(failure)?;
        out.flush().map_err(|err| failure(err.into()))?;
        // An earlier export in the other format would be read instead of this one.
        match std::fs::remove_file(dir.join(format!("{name}.{other}"))) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => return Err(write_failure(err)),
            _ => {}
        }
        if !args.quiet {
            eprintln!("  {name:<13} {count:>8} rows");
        }
        rows.insert(name.to_string(), count);
        Ok(())
    };
    for table in &tables {
        write(table.name, &mut |writer| writer.write(table).map(|()| table.rows()))?;
        if table.name == "activities" {
            // The long table, batch by batch, each batch's records freed once written.
            write("responses", &mut |writer| {
                let mut count = 0;
                for batch in responses.chunks_mut(RESPONSE_BATCH) {
                    writer.write(&responses_table(batch, &config, &ids))?;
                    count += batch.len();
                    batch.iter_mut().for_each(|r| *r = Response::default());
                }
                if count == 0 {
                    writer.write(&responses_table(&[], &config, &ids))?;
                }
                Ok(count)
            })?;
        }
    }
    let manifest = crate::export::Manifest {
        programme: programme.to_string(),
        period: period.label.clone(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        tables: rows,
        programme_configured: configured.is_some(),
        pseudonym_key: Some(ids.fingerprint()),
    };
    let manifest = crate::report::json::to_sorted_json(&manifest);
    std::fs::write(dir.join(crate::export::MANIFEST), manifest).map_err(write_failure)?;
    if !args.quiet {
        eprintln!("wrote {}", dir.display());
    }
    Ok(exit::OK)
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
