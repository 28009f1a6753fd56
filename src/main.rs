//! Thin entry point: parse arguments, run the command, map failures to exit codes.

use std::process::ExitCode;

use clap::Parser;
use peer_eval::cli::{Cli, Command};
use peer_eval::cmd::{self, exit};

#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { exit::USAGE } else { exit::OK };
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    if let Ok(exe) = std::env::current_exe() {
        peer_eval::ingest::worker::enable(exe);
    }
    let outcome = match &cli.command {
        Command::Run(args) => cmd::run::run(args),
        Command::Validate(args) => cmd::validate::validate(args),
        Command::Export(args) => cmd::export::export(args),
        Command::Portfolio(args) => cmd::portfolio::portfolio(args),
        Command::Init(args) => match peer_eval::init::init(&args.dir) {
            Ok((written, kept)) => {
                for path in &written {
                    println!("wrote {}", path.display());
                }
                for path in &kept {
                    println!("kept  {} (already there; not overwritten)", path.display());
                }
                println!(
                    "Next: fill in the templates (or put your own spreadsheets) in {}, then run `peer-eval validate` there.",
                    args.dir.join("input").display()
                );
                Ok(exit::OK)
            }
            Err(err) => Err(cmd::Failure::new(exit::OUTPUT, format!("cannot set up `{}`: {err}", args.dir.display()))),
        },
        Command::Synth(args) => {
            let spec = peer_eval::synth::SynthSpec {
                activities: args.activities.max(1),
                responses: args.responses,
                files: args.files.max(1),
                seed: args.seed,
            };
            peer_eval::synth::write(&args.out, &spec)
                .map(|()| exit::OK)
                .map_err(|err| cmd::Failure::new(exit::OUTPUT, format!("cannot write `{}`: {err}", args.out.display())))
        }
        Command::ReadWorker(args) => {
            let limits = peer_eval::config::LimitsConfig {
                max_cells_per_sheet: args.max_cells,
                max_decompressed_mb: args.max_decompressed_mb,
                ..Default::default()
            };
            return ExitCode::from(peer_eval::ingest::read::serve_worker(&args.file, &limits) as u8);
        }
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            eprintln!("peer-eval: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}
