/** Helpers to replay RFC 8448 traces: injected randomness, keys, signers, and extension hooks. */
import { createNobleProvider } from '@puretls/crypto/noble';
import { X509Certificate } from 'node:crypto';
import { parseSpki, type CryptoProvider, type KeyPair, type NamedGroupName, type PublicKey, type SignatureSchemeName } from '@puretls/crypto';
import { hex, loadTraceRsaKey, traceValue, type Trace } from '@puretls/test-vectors';
import type { CertificateVerifier, Extension, Signer } from '../../src/index.js';
import { parseHandshake } from '../../src/messages/handshake.js';

/** Makes the provider under test with the given source of randomness. */
export type ProviderFactory = (options: { readonly random: (out: Uint8Array) => void }) => CryptoProvider;

/** A provider (noble unless `create` says otherwise) whose randomness is exactly the queued values, in order; running out throws. */
export function queuedProvider(values: Uint8Array[], create: ProviderFactory = createNobleProvider): CryptoProvider & { remaining(): number } {
  const queue = values.map((v) => v.slice());
  const p = create({
    random: (out) => {
      const next = queue.shift();
      if (next === undefined || next.length !== out.length) throw new Error(`unexpected randomness request of ${out.length} bytes (queued: ${next?.length ?? 'none'})`);
      out.set(next);
    },
  });
  return { ...p, remaining: () => queue.length };
}

export function traceKeyPairs(provider: CryptoProvider, pairs: Partial<Record<NamedGroupName, Uint8Array[]>>): (g: NamedGroupName) => KeyPair {
  const queues = Object.fromEntries(Object.entries(pairs).map(([k, v]) => [k, [...(v ?? [])]])) as Record<string, Uint8Array[]>;
  return (g) => {
    const priv = queues[g]?.shift();
    if (priv === undefined) throw new Error(`no trace key for ${g}`);
    return provider.group(g).keyPairFromPrivateKey(priv);
  };
}

export function rsaPublicKey(): PublicKey {
  const k = loadTraceRsaKey();
  return { kind: 'rsa', n: k.n, e: k.e };
}

/** A verifier that accepts exactly `chain` and returns `key`. */
export function stubVerifier(key: PublicKey, chain?: readonly Uint8Array[]): CertificateVerifier & { calls: number } {
  const v = {
    calls: 0,
    async verify(req: { chain: readonly Uint8Array[] }) {
      v.calls++;
      if (chain !== undefined && (req.chain.length !== chain.length || req.chain.some((c, i) => !Buffer.from(c).equals(Buffer.from(chain[i] as Uint8Array))))) {
        return { ok: false as const, code: 'UNKNOWN_CHAIN', alert: 'bad_certificate' as const, message: 'not the expected chain' };
      }
      return { ok: true as const, publicKey: key };
    },
  };
  return v;
}

/**
 * The RSA-PSS salt is random, so the trace's signature cannot be recomputed: this signer checks
 * that the recorded signature verifies over exactly the content the engine asks it to sign.
 */
export function recordedSigner(
  provider: CryptoProvider,
  key: PublicKey,
  signature: Uint8Array,
  scheme: SignatureSchemeName = 'rsa_pss_rsae_sha256',
): Signer & { calls: number } {
  const s = {
    calls: 0,
    schemes: [scheme],
    async sign(asked: string, message: Uint8Array) {
      s.calls++;
      if (asked !== scheme) throw new Error(`unexpected scheme ${asked}`);
      if (!(await provider.verify(scheme, key, message, signature))) throw new Error('recorded signature does not verify over the content to sign');
      return signature;
    },
  };
  return s;
}

/** The public key of a DER certificate, through node:crypto (tests only; x509 is not used here). */
export function certificatePublicKey(der: Uint8Array): PublicKey {
  const spki = new X509Certificate(der).publicKey.export({ format: 'der', type: 'spki' });
  return parseSpki(new Uint8Array(spki));
}

export function certificateChainOf(trace: Trace, side: 'client' | 'server'): Uint8Array[] {
  const m = parseHandshake(traceValue(trace, side, 'construct a Certificate handshake message', 'Certificate'));
  if (m.type !== 'certificate') throw new Error('not a Certificate');
  return m.body.certificateList.map((e) => e.certData.slice());
}

export function signatureOf(trace: Trace, side: 'client' | 'server'): Uint8Array {
  const m = parseHandshake(traceValue(trace, side, 'construct a CertificateVerify handshake message', 'CertificateVerify'));
  if (m.type !== 'certificate_verify') throw new Error('not a CertificateVerify');
  return m.body.signature.slice();
}

export function extensionsOf(raw: Uint8Array): Extension[] {
  const m = parseHandshake(raw);
  if (m.type === 'client_hello' || m.type === 'encrypted_extensions' || m.type === 'certificate_request') return [...m.body.extensions];
  throw new Error('no extensions');
}

/**
 * A hook that makes our extension list equal to the recorded one: it checks that every extension we
 * produce is present in the recording with the same body (except those listed in `replaced`, whose
 * recorded bodies are the ones the engine cannot produce, e.g. ffdhe groups), then returns the
 * recording's list (minus padding / pre_shared_key, which the engine adds itself).
 */
export function replayHook(recorded: Extension[], replaced: number[]): (exts: readonly Extension[]) => readonly Extension[] {
  return (exts) => {
    for (const e of exts) {
      const r = recorded.find((x) => x.type === e.type);
      if (r === undefined) throw new Error(`engine sends extension ${e.type} that the recording lacks`);
      if (!replaced.includes(e.type) && Buffer.from(r.data).toString('hex') !== Buffer.from(e.data).toString('hex')) {
        throw new Error(`extension ${e.type} differs: ${Buffer.from(e.data).toString('hex')} vs ${Buffer.from(r.data).toString('hex')}`);
      }
    }
    return recorded.filter((x) => x.type !== 21 && x.type !== 41);
  };
}

export function records(trace: Trace, side: 'client' | 'server', description: string, from = 0, to = 99): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = from; i <= to; i++) {
    try {
      out.push(traceValue(trace, side, description, 'complete record', i));
    } catch {
      break;
    }
  }
  return out;
}

export const rec = (trace: Trace, side: 'client' | 'server', description: string, nth = 0): Uint8Array => traceValue(trace, side, description, 'complete record', nth);
export { hex };
