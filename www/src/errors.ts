// Errors that say what happened: a `kind` (generated from the crate's ErrorKind), and the `field`
// or `task` where there is one. The crate throws them from wasm (crate/src/wasm/boundary.rs);
// the page makes its own for what only it can see (a worker that would not load, a lane that is
// off here). Nothing branches on an error's message.
import * as Comlink from 'comlink';
import type { ErrorKind } from './types';

export interface PlaygroundError extends Error {
  kind: ErrorKind;
  field?: string;
  task?: number;
}

export function playgroundError(kind: ErrorKind, message: string, where: { field?: string; task?: number } = {}): PlaygroundError {
  return Object.assign(new Error(message), { kind }, where);
}

/** The kind of any thrown value: its own, or none (a bug, not a failure the page expects). */
export function kindOf(e: unknown): ErrorKind | undefined {
  return e instanceof Error && typeof (e as Partial<PlaygroundError>).kind === 'string' ? (e as PlaygroundError).kind : undefined;
}

export function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

type Thrown = { value: unknown };

/**
 * Comlink sends a thrown Error as its message, name and stack only: installed on both ends
 * (page and workers), this keeps `kind`, `field` and `task` across postMessage too.
 */
export function keepErrorKinds(): void {
  const comlinkThrow = Comlink.transferHandlers.get('throw') as Comlink.TransferHandler<Thrown, unknown>;
  Comlink.transferHandlers.set('throw', {
    canHandle: comlinkThrow.canHandle,
    serialize({ value }: Thrown) {
      const [serialized, transfers] = comlinkThrow.serialize({ value } as Thrown);
      if (value instanceof Error) {
        const { kind, field, task } = value as Partial<PlaygroundError>;
        Object.assign((serialized as { value: object }).value, { kind, field, task });
      }
      return [serialized, transfers];
    },
    deserialize: comlinkThrow.deserialize,
  } as Comlink.TransferHandler<Thrown, unknown>);
}
