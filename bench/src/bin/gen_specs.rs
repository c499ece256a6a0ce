//! `gen_specs <N> <specs-dir>`: writes N synthetic method specs (in the reference's mix of
//! shapes; `BENCH_SHAPES=dense` for the full template of every verb) into scope folders of
//! `<specs-dir>` (`synth01/`, `synth02/`, ...), one `<method>.yaml` each, for the compile-time
//! benchmark, and prints the scopes it wrote into, one a line.
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
        eprintln!("usage: gen_specs <N> <specs-dir>");
        return ExitCode::from(2);
    };
    let dir = PathBuf::from(dir);
    let shapes = match specgen::Shapes::from_env() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    for i in 0..n {
        let scope = specgen::scope(i, n);
        let file = format!("{scope}/{}.yaml", specgen::method_name(i));
        if let Err(diags) = bitrix_spec::load(&file, &specgen::spec_with(i, &scope, shapes)) {
            for d in diags {
                eprintln!("{d}");
            }
            return ExitCode::FAILURE;
        }
    }
    match specgen::write(n, &dir, shapes) {
        Ok(paths) => {
            let mut scopes: Vec<String> = (0..n).map(|i| specgen::scope(i, n)).collect();
            scopes.dedup();
            for s in &scopes {
                println!("{s}");
            }
            eprintln!(
                "wrote {} specs into {} scopes of {}",
                paths.len(),
                scopes.len(),
                dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cannot write into {}: {e}", dir.display());
            ExitCode::FAILURE
        }
    }
}
