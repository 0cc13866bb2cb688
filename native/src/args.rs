//! The command line. Spec flags become raw spec fields and go through the crate's own
//! `normalize`, so a bad value gets exactly the message the page shows for it.

use concurrency_playground::spec::{Defaults, Lane, RawSpec, RawValue, Spec};

pub const USAGE: &str = "usage: native-reference [--workload NAME] [--size N] [--workers N] \
[--tasks N] [--latency-ms MS] [--jitter-ms MS] [--seed N] [--yield-every N] [--gil-switch-ms MS] \
[--cpu-rounds N] [--repeats N] [--lanes LANE,...] [--json]";

/// Each spec flag and the spec field it sets.
const SPEC_FLAGS: [(&str, &str); 11] = [
    ("--workload", "workload"),
    ("--size", "size"),
    ("--workers", "workers"),
    ("--tasks", "tasks"),
    ("--latency-ms", "latencyMs"),
    ("--jitter-ms", "jitterMs"),
    ("--seed", "seed"),
    ("--yield-every", "yieldEvery"),
    ("--gil-switch-ms", "gilSwitchMs"),
    ("--cpu-rounds", "cpuRounds"),
    ("--lanes", "lanes"),
];

pub const MAX_REPEATS: u32 = 1000;

pub struct Options {
    pub spec: Spec,
    pub repeats: u32,
    pub json: bool,
}

pub enum Command {
    Run(Options),
    Help,
}

/// What went wrong, ready to print: a spec error as the crate words it (it starts with the field
/// name), or a command-line mistake followed by the usage line.
pub struct ArgError(pub String);

fn usage_error(message: String) -> ArgError {
    ArgError(format!("{message}\n{USAGE}"))
}

/// Parses the arguments after the program name.
///
/// # Errors
/// An unknown or repeated flag, a flag without its value, or a spec the crate rejects.
pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Command, ArgError> {
    let mut raw = RawSpec::default();
    let mut repeats = None;
    let mut json = false;
    let mut args = args.into_iter();
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "--help" | "-h" => return Ok(Command::Help),
            "--json" => json = true,
            "--repeats" => {
                if repeats.is_some() {
                    return Err(usage_error(format!("{flag} is given twice")));
                }
                repeats = Some(repeats_from(&value(&flag, args.next())?)?);
            }
            _ => {
                let Some(&(_, field)) = SPEC_FLAGS.iter().find(|(f, _)| *f == flag) else {
                    return Err(usage_error(format!("unknown flag {flag:?}")));
                };
                // `normalize` takes the first occurrence of a field: a repeat would be ignored.
                if raw.fields.iter().any(|(name, _)| name == field) {
                    return Err(usage_error(format!("{flag} is given twice")));
                }
                raw = raw.with(field, raw_value(field, value(&flag, args.next())?));
            }
        }
    }
    let spec = raw
        .normalize(&Defaults {
            workers: std::thread::available_parallelism().map_or(1, |n| n.get() as u32),
            lanes: Lane::ALL.to_vec(),
        })
        .map_err(|e| ArgError(e.to_string()))?;
    Ok(Command::Run(Options {
        spec,
        repeats: repeats.unwrap_or(3),
        json,
    }))
}

fn value(flag: &str, next: Option<String>) -> Result<String, ArgError> {
    next.ok_or_else(|| usage_error(format!("{flag} needs a value")))
}

/// A flag's text as the page would send it: names as text, numbers as numbers. Text that is no
/// number is passed on as text, so the crate reports it (`size: must be a whole number ..., got
/// "abc"`) rather than a message of our own.
fn raw_value(field: &str, text: String) -> RawValue {
    match field {
        "workload" => RawValue::Text(text),
        "lanes" => RawValue::List(
            text.split(',')
                .map(|lane| RawValue::Text(lane.trim().to_owned()))
                .collect(),
        ),
        _ => text
            .trim()
            .parse::<f64>()
            .map_or(RawValue::Text(text), RawValue::Number),
    }
}

fn repeats_from(text: &str) -> Result<u32, ArgError> {
    match text.trim().parse::<u32>() {
        Ok(n) if (1..=MAX_REPEATS).contains(&n) => Ok(n),
        _ => Err(ArgError(format!(
            "repeats: must be a whole number from 1 to {MAX_REPEATS}, got {text:?}"
        ))),
    }
}
