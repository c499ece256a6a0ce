//! `gen_specs <N> <dir>`: writes N synthetic method specs into `<dir>` (normally
//! `specs/synthetic`), one `<method>.yaml` each, for the compile-time benchmark.
//!
//! Each spec is checked with the same loader the macro uses before it is written, so a build
//! that fails later fails because of the compiler, not because of a malformed spec.

use std::path::PathBuf;
use std::process::ExitCode;

use bitrix_bench::specgen;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(n), Some(dir)) = (
        args.first().and_then(|n| n.parse::<usize>().ok()),
        args.get(1),
    ) else {
        eprintln!("usage: gen_specs <N> <dir>");
        return ExitCode::from(2);
    };
    let dir = PathBuf::from(dir);
    for i in 0..n {
        let file = format!("{}/{}.yaml", specgen::SCOPE, specgen::method_name(i));
        if let Err(diags) = bitrix_spec::load(&file, &specgen::spec(i)) {
            for d in diags {
                eprintln!("{d}");
            }
            return ExitCode::FAILURE;
        }
    }
    match specgen::write(n, &dir) {
        Ok(paths) => {
            println!("wrote {} specs into {}", paths.len(), dir.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cannot write into {}: {e}", dir.display());
            ExitCode::FAILURE
        }
    }
}
