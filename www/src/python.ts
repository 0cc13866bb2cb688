// The Python bridge (issue 14): one self-contained Python 3 script (standard library only, 3.8+)
// that runs a spec's workload under CPython's own concurrency models and prints a report in the
// playground's shape. The code is the package python/concurrency_bridge, which ports the kernels
// of crate/src/workloads exactly (same split, same seeds, same arithmetic), assembled into one
// script by the build (scripts/python.mjs); this module only writes the run above it.
import { PAGE_DATA } from './generated/page-data';
import { PYTHON_BODY, PYTHON_IMPORTS } from './generated/python-bridge';
import type { Spec } from './types';
import { chunkSize } from './wasm';

/** The script that runs `spec` under CPython: `python3 script.py [lane...]` prints one JSON report. */
export function pythonScript(spec: Spec): string {
  // The crate's order (crate/src/spec.rs FIELDS), so the text does not depend on the caller's.
  const ordered = Object.fromEntries(PAGE_DATA.bridge.fields.map((k) => [k, spec[k as keyof Spec]]));
  const what = `${spec.workload}, size ${spec.size}, ${spec.tasks} tasks, ${spec.workers} workers, seed ${spec.seed}`
    + (spec.fault === 'none' ? '' : `, fault ${spec.fault}`);
  return [
    '#!/usr/bin/env python3',
    `# concurrency-playground, the Python bridge: ${what}.`,
    ...HEADER,
    '',
    PYTHON_IMPORTS,
    '',
    '# The spec, as the playground normalized it.',
    // A JSON string literal is a valid Python string literal (its escapes are Python's too);
    // json is among the bridge's imports (it prints the report with it).
    `SPEC = json.loads(${JSON.stringify(JSON.stringify(ordered))})`,
    '# Tasks a process gets in one message: as the browser sends them (crate/src/budget.rs chunk_size).',
    `CHUNK = ${chunkSize(spec)}`,
    '',
    '',
    PYTHON_BODY,
  ].join('\n');
}

const HEADER = [
  '#',
  '# The same workload as the browser, split into the same tasks with the same seeds, run under',
  '# four Python models: sequential, threading (the gil lane, or threads where the GIL is off),',
  '# multiprocessing and asyncio. Standard library only, Python 3.8+.',
  '#',
  '#   python3 this-script.py                  every lane',
  '#   python3 this-script.py sequential async  only those (sequential, gil or threads, processes, async)',
  '#',
  '# It prints one JSON report (stdout) in the playground\'s shape; every lane that finishes must',
  '# show the checksum the browser shows for this spec. Progress goes to stderr.',
  '#',
  '# The code below is the package python/concurrency_bridge of the playground\'s repository, its',
  '# modules one after another; there it also runs as `python3 -m concurrency_bridge RUN.json`.',
];
