//! The processes lane with real OS processes: this binary started again with `--worker`, once per
//! worker, as a cold `ProcessPoolExecutor` starts its pool. Nothing is shared: the spec, the
//! `share` buffer, every task index and every result cross a pipe.
//!
//! The protocol, one line each unless said otherwise:
//! - child: `ready` as soon as it runs (the end of its spawn);
//! - parent: the spec as `key=value` pairs (see [`encode`]);
//! - for `share` only, parent: `data <bytes>`, then that many raw bytes; child: `received`;
//! - then, repeatedly, parent: a task index; child: that task's partial in decimal;
//! - parent closes the child's stdin when no task is left, and the child exits.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::{self, JoinHandle};
use std::time::Instant;

use concurrency_playground::lanes::{block_ready, run_task, InTurn, ThreadSleep};
use concurrency_playground::spec::{Defaults, Lane, RawSpec, RawValue, Spec};
use concurrency_playground::trace::Trace;

/// The hidden flag that makes the binary a worker process.
pub const WORKER_FLAG: &str = "--worker";

/// One run of the lane, timed from when every process is ready (as the page times it).
pub struct ProcessRun {
    pub sum: u64,
    pub wall_ms: f64,
    /// From the first spawn until every process has said it is ready.
    pub setup_ms: f64,
    /// Each process's time from spawn to its ready line.
    pub spawn_ms: Vec<f64>,
    /// Time spent copying the `share` buffer into the processes, summed over them.
    pub transfer_ms: f64,
}

/// The spec as one line of `key=value` pairs, lists comma-separated: every value is a number or
/// a name, so neither separator can occur inside one.
fn encode(spec: &Spec) -> String {
    let fields: Vec<String> = spec
        .to_raw()
        .fields
        .iter()
        .map(|(key, value)| format!("{key}={}", encode_value(value)))
        .collect();
    fields.join(" ")
}

fn encode_value(value: &RawValue) -> String {
    match value {
        // Display of an f64 is the shortest text that parses back to the same number.
        RawValue::Number(n) => n.to_string(),
        RawValue::Text(s) => s.clone(),
        RawValue::List(items) => items.iter().map(encode_value).collect::<Vec<_>>().join(","),
        RawValue::Missing | RawValue::Other(_) => {
            unreachable!("a normalized spec has every field, as a number, name or list")
        }
    }
}

/// Reads [`encode`]'s line back through `normalize`, so the child checks what it was sent.
fn decode(line: &str) -> Result<Spec, String> {
    let mut raw = RawSpec::default();
    for pair in line.split_whitespace() {
        let (key, text) = pair
            .split_once('=')
            .ok_or_else(|| format!("spec line: {pair:?} is not key=value"))?;
        let value = if key == "lanes" {
            RawValue::List(
                text.split(',')
                    .map(|l| RawValue::Text(l.to_owned()))
                    .collect(),
            )
        } else {
            text.parse::<f64>()
                .map_or_else(|_| RawValue::Text(text.to_owned()), RawValue::Number)
        };
        raw = raw.with(key, value);
    }
    // Every field is in the line; the defaults are never used.
    raw.normalize(&Defaults {
        workers: 1,
        lanes: vec![Lane::Processes],
    })
    .map_err(|e| e.to_string())
}

/// The worker side: answers the parent over stdin/stdout until stdin closes.
///
/// # Errors
/// A broken pipe, a line it cannot read, or a task index out of range; the process then exits
/// with the message on stderr and the parent reports it gone.
pub fn worker() -> Result<(), String> {
    let mut input = io::stdin().lock();
    let mut output = io::stdout().lock();
    let mut say = |line: &str| -> Result<(), String> {
        writeln!(output, "{line}")
            .and_then(|()| output.flush())
            .map_err(|e| format!("cannot answer the parent: {e}"))
    };
    say("ready")?;
    let spec = decode(&read_line(&mut input)?.ok_or("stdin closed before the spec")?)?;
    let data = if spec.workload.kernel().buffer_mb(&spec).is_some() {
        let header = read_line(&mut input)?.ok_or("stdin closed before the share buffer")?;
        let len: usize = header
            .strip_prefix("data ")
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| format!("expected `data <bytes>`, got {header:?}"))?;
        // This is the copy the lane pays for: the bytes land in this process's own memory.
        let mut data = vec![0; len];
        input
            .read_exact(&mut data)
            .map_err(|e| format!("share buffer: {e}"))?;
        say("received")?;
        data
    } else {
        Vec::new()
    };
    while let Some(line) = read_line(&mut input)? {
        let index: u32 = line
            .parse()
            .ok()
            .filter(|&i| i < spec.tasks)
            .ok_or_else(|| format!("task index must be below {}, got {line:?}", spec.tasks))?;
        // One request at a time per process, each wait blocking it: the page's processes too.
        let partial = block_ready(run_task(
            &spec,
            index,
            &data,
            0,
            &mut InTurn::<ThreadSleep>::default(),
            &mut Trace::default(),
        ))
        .map_err(|e| e.to_string())?;
        say(&partial.to_string())?;
    }
    Ok(())
}

/// The next line without its newline, or `None` at the end of input.
fn read_line(input: &mut impl BufRead) -> Result<Option<String>, String> {
    let mut line = String::new();
    match input.read_line(&mut line) {
        Ok(0) => Ok(None),
        Ok(_) => Ok(Some(line.trim_end().to_owned())),
        Err(e) => Err(format!("reading stdin: {e}")),
    }
}

/// What a child's reader thread hears: a line, or the end of its output (the child exited).
enum Heard {
    Line(String),
    Gone,
}

/// Messages from every child, each stamped when its reader thread read it, so a busy parent does
/// not add its own delay to a child's spawn or transfer time.
type Inbox = Receiver<(usize, Heard, Instant)>;

struct Proc {
    child: Child,
    /// Closed (taken) once the child has no more tasks: that is what tells it to exit.
    stdin: Option<ChildStdin>,
    reader: Option<JoinHandle<()>>,
}

impl Proc {
    fn send(&mut self, slot: usize, bytes: &[u8]) -> Result<(), String> {
        self.stdin
            .as_mut()
            .expect("a process is only written to before its stdin is closed")
            .write_all(bytes)
            .map_err(|e| format!("process {slot}: cannot send to it: {e}"))
    }
}

/// Every process of one run. Dropping it reaps them all, whatever happened.
struct Pool {
    procs: Vec<Proc>,
    inbox: Inbox,
}

impl Drop for Pool {
    fn drop(&mut self) {
        for p in &mut self.procs {
            p.stdin.take();
            // After an error a child may be mid-task or waiting for input that never comes: end
            // it. After a clean run it has exited already and this does nothing.
            let _ = p.child.kill();
            let _ = p.child.wait();
        }
        for p in &mut self.procs {
            if let Some(reader) = p.reader.take() {
                let _ = reader.join();
            }
        }
    }
}

fn listen(slot: usize, stdout: ChildStdout, tx: Sender<(usize, Heard, Instant)>) {
    for line in BufReader::new(stdout).lines() {
        let Ok(line) = line else { break };
        if tx.send((slot, Heard::Line(line), Instant::now())).is_err() {
            return;
        }
    }
    let _ = tx.send((slot, Heard::Gone, Instant::now()));
}

fn ms(since: Instant, until: Instant) -> f64 {
    until.saturating_duration_since(since).as_secs_f64() * 1000.0
}

impl Pool {
    /// Starts `workers` processes and waits until each has said it is ready.
    fn spawn(workers: u32) -> Result<(Pool, f64, Vec<f64>), String> {
        let exe = std::env::current_exe()
            .map_err(|e| format!("processes: cannot find this program to start it again: {e}"))?;
        let (tx, inbox) = mpsc::channel();
        let mut pool = Pool {
            procs: Vec::new(),
            inbox,
        };
        let start = Instant::now();
        let mut spawned = Vec::new();
        for slot in 0..workers as usize {
            let at = Instant::now();
            let mut child = Command::new(&exe)
                .arg(WORKER_FLAG)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .map_err(|e| format!("processes: cannot start process {slot}: {e}"))?;
            let stdin = child.stdin.take();
            let stdout = child.stdout.take().expect("stdout was piped");
            let tx = tx.clone();
            let reader = thread::spawn(move || listen(slot, stdout, tx));
            pool.procs.push(Proc {
                child,
                stdin,
                reader: Some(reader),
            });
            spawned.push(at);
        }
        let mut spawn_ms = vec![0.0; spawned.len()];
        for _ in 0..spawned.len() {
            let (slot, at) = pool.expect_line("ready")?;
            spawn_ms[slot] = ms(spawned[slot], at);
        }
        Ok((pool, ms(start, Instant::now()), spawn_ms))
    }

    /// The next line from any process. A process whose stdin is closed was told to exit, so
    /// its end is skipped; any other process ending is an error.
    fn next(&self) -> Result<(usize, String, Instant), String> {
        loop {
            match self.inbox.recv() {
                Ok((slot, Heard::Line(line), at)) => return Ok((slot, line, at)),
                Ok((slot, Heard::Gone, _)) if self.procs[slot].stdin.is_none() => {}
                Ok((slot, Heard::Gone, _)) => {
                    return Err(format!(
                        "processes: process {slot} exited before it was done \
                         (its own message, if any, is above)"
                    ))
                }
                Err(_) => return Err("processes: every process has gone".into()),
            }
        }
    }

    fn expect_line(&self, expected: &str) -> Result<(usize, Instant), String> {
        let (slot, line, at) = self.next()?;
        if line == expected {
            Ok((slot, at))
        } else {
            Err(format!(
                "processes: process {slot} said {line:?}, expected {expected:?}"
            ))
        }
    }

    /// Copies the buffer into every process at once (each has its own pipe), as the page posts
    /// it to every process at once; returns the copy times summed, as the page reports them.
    fn transfer(&mut self, data: &[u8]) -> Result<f64, String> {
        let header = format!("data {}\n", data.len());
        let started = thread::scope(|s| {
            let writers: Vec<_> = self
                .procs
                .iter_mut()
                .enumerate()
                .map(|(slot, p)| {
                    let header = &header;
                    s.spawn(move || {
                        let at = Instant::now();
                        p.send(slot, header.as_bytes())?;
                        p.send(slot, data)?;
                        Ok::<_, String>(at)
                    })
                })
                .collect();
            writers
                .into_iter()
                .map(|w| w.join().expect("a writer thread only returns errors"))
                .collect::<Result<Vec<_>, _>>()
        })?;
        // A write returns once the last bytes are in the pipe; the copy ends when the child has
        // read them all, which it confirms.
        let mut total = 0.0;
        for _ in 0..self.procs.len() {
            let (slot, at) = self.expect_line("received")?;
            total += ms(started[slot], at);
        }
        Ok(total)
    }

    /// Hands out the tasks as a pool's work queue does: each process gets the next task when it
    /// answers one, so uneven tasks (Mandelbrot rows) still balance.
    fn run_tasks(&mut self, tasks: u32) -> Result<u64, String> {
        let mut next = 0u32;
        let mut done = 0u32;
        let mut sum = 0u64;
        for slot in 0..self.procs.len() {
            self.dispatch(slot, &mut next, tasks)?;
        }
        while done < tasks {
            let (slot, line, _) = self.next()?;
            let partial: u64 = line.parse().map_err(|_| {
                format!("processes: process {slot} answered {line:?}, not a task's partial")
            })?;
            sum = sum.wrapping_add(partial);
            done += 1;
            self.dispatch(slot, &mut next, tasks)?;
        }
        Ok(sum)
    }

    /// Sends process `slot` the next task, or closes its stdin when none is left.
    fn dispatch(&mut self, slot: usize, next: &mut u32, tasks: u32) -> Result<(), String> {
        let p = &mut self.procs[slot];
        if *next < tasks {
            p.send(slot, format!("{next}\n").as_bytes())?;
            *next += 1;
        } else {
            p.stdin.take();
        }
        Ok(())
    }

    /// Waits for every process to exit and checks that each did so cleanly.
    fn finish(&mut self) -> Result<(), String> {
        for (slot, p) in self.procs.iter_mut().enumerate() {
            p.stdin.take();
            let status = p
                .child
                .wait()
                .map_err(|e| format!("processes: waiting for process {slot}: {e}"))?;
            if !status.success() {
                return Err(format!("processes: process {slot} ended with {status}"));
            }
        }
        Ok(())
    }
}

/// Runs every task of `spec` on `spec.workers` fresh processes.
///
/// # Errors
/// A process that cannot be started, breaks its pipe, answers nonsense or exits early.
pub fn run(spec: &Spec, data: &[u8]) -> Result<ProcessRun, String> {
    let (mut pool, setup_ms, spawn_ms) = Pool::spawn(spec.workers)?;
    let start = Instant::now();
    let line = format!("{}\n", encode(spec));
    for (slot, p) in pool.procs.iter_mut().enumerate() {
        p.send(slot, line.as_bytes())?;
    }
    let transfer_ms = if spec.workload.kernel().buffer_mb(spec).is_some() {
        pool.transfer(data)?
    } else {
        0.0
    };
    let sum = pool.run_tasks(spec.tasks)?;
    let wall_ms = ms(start, Instant::now());
    pool.finish()?;
    Ok(ProcessRun {
        sum,
        wall_ms,
        setup_ms,
        spawn_ms,
        transfer_ms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spec_line_reads_back_as_the_same_spec() {
        let spec = RawSpec::default()
            .with("workload", RawValue::Text("io".into()))
            .with("size", RawValue::Number(40.0))
            .with("latencyMs", RawValue::Number(12.5))
            .with("jitterMs", RawValue::Number(0.1))
            .normalize(&Defaults {
                workers: 3,
                lanes: vec![Lane::Sequential, Lane::Processes],
            })
            .expect("a valid spec");
        assert_eq!(decode(&encode(&spec)), Ok(spec));
    }
}
