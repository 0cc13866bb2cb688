// Formatting and lints for both wasm builds, natively, and the TypeScript.
import { run, step, threadsEnv } from './lib.mjs';

export function lint() {
  step('cargo fmt --check');
  run('cargo', ['fmt', '--all', '--check']);
  step('cargo clippy -D warnings: native, plain wasm, threads wasm');
  run('cargo', ['clippy', '--all-targets', '--', '-D', 'warnings']);
  run('cargo', ['clippy', '--all-targets', '--target', 'wasm32-unknown-unknown', '--', '-D', 'warnings']);
  run('cargo', ['clippy', '--all-targets', '--target', 'wasm32-unknown-unknown', '--features', 'threads', '--', '-D', 'warnings'], { env: threadsEnv() });
  step('TypeScript (tsc --noEmit)');
  run('npx', ['tsc', '-p', 'www', '--noEmit']);
}

if (process.argv[1]?.endsWith('lint.mjs')) lint();
