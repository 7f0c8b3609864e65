/**
 * A single compare-and-set register, as in Jepsen's etcd tests (and Porcupine's etcd model).
 * It starts unset (`null`).
 *
 * - read returns the current value, or null when unset;
 * - write sets the value;
 * - cas(from, to) succeeds exactly when the value equals `from`, and then sets `to`.
 *
 * Jepsen's completions map to outputs like this: `:ok :cas` is `{ ok: true }`; `:fail :cas`
 * is `{ ok: false }`: the cas definitely did not happen, *and* that failure must be explained
 * by the value (it must differ from `from`), so it is a real observation and not a no-op;
 * `:fail :read :timed-out` is an unknown output (`undefined`), as is any pending operation.
 */
import type { Model } from '../model.js';

export type RegisterValue = number;

export type RegisterInput =
  | { readonly f: 'read' }
  | { readonly f: 'write'; readonly value: RegisterValue }
  | { readonly f: 'cas'; readonly from: RegisterValue; readonly to: RegisterValue };

export type RegisterOutput =
  | { readonly f: 'read'; readonly value: RegisterValue | null }
  | { readonly f: 'write' }
  | { readonly f: 'cas'; readonly ok: boolean };

export type RegisterState = RegisterValue | null;

export const registerModel: Model<RegisterState, RegisterInput, RegisterOutput> = {
  name: 'register',
  init: () => null,
  step(state, input, output) {
    switch (input.f) {
      case 'read':
        return { ok: output === undefined || (output.f === 'read' && output.value === state), state };
      case 'write':
        return { ok: true, state: input.value };
      case 'cas': {
        const succeeds = state === input.from;
        const ok = output === undefined || (output.f === 'cas' && output.ok === succeeds);
        return { ok, state: succeeds ? input.to : state };
      }
    }
  },
  hash: (state) => (state === null ? 'nil' : state),
  // A failed cas only requires the value to differ from `from`: its `to` plays no part.
  operationKey(input, output) {
    switch (input.f) {
      case 'write':
        return `w ${input.value}`;
      case 'read':
        if (output === undefined) return 'r?';
        return output.f === 'read' ? `r ${output.value}` : 'r never';
      case 'cas':
        if (output === undefined) return `c? ${input.from} ${input.to}`;
        if (output.f !== 'cas') return 'c never';
        return output.ok ? `c ${input.from} ${input.to}` : `c-fail ${input.from}`;
    }
  },
  // A read of v needs v written; a failed cas [from to] needs anything but `from` written.
  enables(writer, written, reader, read) {
    if (read === undefined) return false;
    const value = writer.f === 'write' ? writer.value : writer.f === 'cas' && (written === undefined || (written.f === 'cas' && written.ok)) ? writer.to : undefined;
    if (value === undefined) return false;
    if (reader.f === 'read' && read.f === 'read') return read.value === value;
    if (reader.f === 'cas' && read.f === 'cas' && !read.ok) return value !== reader.from;
    return true;
  },
  readOnly: (input, output) => input.f === 'read' || (input.f === 'cas' && output?.f === 'cas' && !output.ok),
  describeOperation: describeRegisterOperation,
  describeState: (state) => (state === null ? 'the register is unset' : `the register holds ${state}`),
  explainRejection(state, input, output) {
    const holding = state === null ? 'the register unset' : `the register holding ${state}`;
    return `${describeRegisterOperation(input, output)} is impossible with ${holding}`;
  },
};

function describeRegisterOperation(input: RegisterInput, output: RegisterOutput | undefined): string {
  const call = input.f === 'read' ? 'read' : input.f === 'write' ? `write ${input.value}` : `cas [${input.from} ${input.to}]`;
  if (output === undefined) return `${call} -> ?`;
  switch (output.f) {
    case 'read':
      return `${call} -> ${output.value === null ? 'nil' : output.value}`;
    case 'write':
      return `${call} -> ok`;
    case 'cas':
      return `${call} -> ${output.ok ? 'ok' : 'fail'}`;
  }
}
