/**
 * The argument checks every AEAD of every provider shares (RFC 5116 interface): a provider supplies
 * a function keying an `AeadCore` (the cipher, trusted inputs only) and `checkedAeadAlgorithm` turns
 * it into the public `AeadAlgorithm`, so key, nonce, buffer and overlap rules, errors and the
 * short-ciphertext result are the same whichever implementation runs. No cipher code here:
 * importing it pulls in no implementation.
 */
import type { Aead, AeadAlgorithm, AeadSpec } from './types.js';

/**
 * A keyed cipher without argument checks: `nonce` has the right length, `out` has exactly the
 * output length and is either disjoint from the input or starts at the same byte.
 */
export interface AeadCore {
  /** Writes ciphertext || tag into `out`. */
  seal(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, out: Uint8Array): void;
  /** `sealed` is ciphertext || tag (at least a tag long). Writes the plaintext, or returns false leaving none in `out`. */
  open(nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array, out: Uint8Array): boolean;
  /**
   * Optional: `open` into a buffer of the core's own, for a cipher that makes one anyway (node:crypto's
   * `update`); used when the caller gives no `output`, saving an allocation and a copy per record. The
   * result must be fresh (no view of `sealed`, nothing else holding it); null on authentication failure.
   */
  openFresh?(nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array | null;
  /** Optional asynchronous forms (see `Aead.sealAsync`), called with checked arguments (unchanged until settled). */
  sealAsync?(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Promise<Uint8Array>;
  /** `sealed` is at least a tag long. */
  openAsync?(nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Promise<Uint8Array | null>;
}

function bytes(value: unknown, name: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array`);
  return value;
}

/** True when `a` and `b` share bytes but do not start at the same byte. */
function overlapsPartially(a: Uint8Array, b: Uint8Array): boolean {
  if (a.buffer !== b.buffer || a.byteOffset === b.byteOffset || a.length === 0 || b.length === 0) return false;
  return a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

const zeroed = (length: number): Uint8Array => new Uint8Array(length);

/** The public `Aead` around `core` (see `checkedAeadAlgorithm`). */
function checkedAead(core: AeadCore, nonceLength: number, tagLength: number, allocate: (length: number) => Uint8Array): Aead {
  const checkNonce = (nonce: Uint8Array): void => {
    bytes(nonce, 'nonce');
    if (nonce.length !== nonceLength) throw new RangeError(`nonce must be ${nonceLength} bytes, got ${nonce.length}`);
  };
  const outputFor = (output: Uint8Array | undefined, length: number, input: Uint8Array): Uint8Array => {
    if (output === undefined) return allocate(length);
    if (output.length < length) throw new RangeError(`output must have room for ${length} bytes, got ${output.length}`);
    const out = output.length === length ? output : output.subarray(0, length);
    if (overlapsPartially(out, input)) throw new RangeError('output must not overlap the input unless it starts at the same byte');
    return out;
  };
  return Object.freeze({
    tagLength,
    seal(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, output?: Uint8Array): Uint8Array {
      checkNonce(nonce);
      bytes(plaintext, 'plaintext');
      bytes(aad, 'aad');
      if (output !== undefined) bytes(output, 'output');
      const out = outputFor(output, plaintext.length + tagLength, plaintext);
      core.seal(nonce, plaintext, aad, out);
      return out;
    },
    open(nonce: Uint8Array, ciphertext: Uint8Array, aad: Uint8Array, output?: Uint8Array): Uint8Array | null {
      checkNonce(nonce);
      bytes(ciphertext, 'ciphertext');
      bytes(aad, 'aad');
      if (output !== undefined) bytes(output, 'output');
      if (ciphertext.length < tagLength) return null;
      if (output === undefined && core.openFresh !== undefined) return core.openFresh(nonce, ciphertext, aad);
      const out = outputFor(output, ciphertext.length - tagLength, ciphertext);
      return core.open(nonce, ciphertext, aad, out) ? out : null;
    },
    ...(core.sealAsync === undefined || core.openAsync === undefined
      ? {}
      : {
          sealAsync: async (nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Promise<Uint8Array> => {
            checkNonce(nonce);
            return (core.sealAsync as NonNullable<AeadCore['sealAsync']>)(nonce, bytes(plaintext, 'plaintext'), bytes(aad, 'aad'));
          },
          openAsync: async (nonce: Uint8Array, ciphertext: Uint8Array, aad: Uint8Array): Promise<Uint8Array | null> => {
            checkNonce(nonce);
            bytes(ciphertext, 'ciphertext');
            bytes(aad, 'aad');
            if (ciphertext.length < tagLength) return null;
            return (core.openAsync as NonNullable<AeadCore['openAsync']>)(nonce, ciphertext, aad);
          },
        }),
  });
}

/**
 * The `AeadAlgorithm` `name` with the (already validated) lengths of `spec`, whose `create(key)`
 * checks the key and keys a core with `keyed`. Its `Aead` checks every argument (TypeError/RangeError
 * naming it), sizes and checks `output` (room for the result; in place only from the same byte) and
 * gives null for a ciphertext shorter than the tag. `allocate` makes the result buffer when there is
 * no `output` (it is overwritten whole, so it need not be zeroed).
 */
export function checkedAeadAlgorithm(
  name: string,
  spec: AeadSpec,
  keyed: (key: Uint8Array) => AeadCore,
  allocate: (length: number) => Uint8Array = zeroed,
): AeadAlgorithm {
  const { keyLength, nonceLength, tagLength } = spec;
  return Object.freeze({
    name,
    keyLength,
    nonceLength,
    tagLength,
    create(key: Uint8Array): Aead {
      bytes(key, 'key');
      if (key.length !== keyLength) throw new RangeError(`key must be ${keyLength} bytes for ${name}, got ${key.length}`);
      return checkedAead(keyed(key), nonceLength, tagLength, allocate);
    },
  });
}
