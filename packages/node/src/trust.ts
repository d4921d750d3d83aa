/**
 * Trust anchors and certificate verification for the binding: the `ca` option or, by default, the
 * Mozilla root set that Node ships (`tls.rootCertificates`), and the node:tls semantics on top of the
 * X.509 verifier: `rejectUnauthorized: false` records the failure in `authorizationError` and goes on,
 * a custom `checkServerIdentity` replaces the built-in name check.
 */
import { rootCertificates } from 'node:tls';
import type { CryptoProvider } from '@puretls/crypto';
import type { AlertDescriptionName, CertificateVerifier as EngineVerifier, CertificateVerifyRequest, CertificateVerifyResult } from '@puretls/tls';
import {
  createCertificateVerifier,
  decodePemCertificates,
  parseCertificate,
  TrustStore,
  type CertificateVerifier,
} from '@puretls/x509';
import { resolveProvider } from './options.js';
import { peerCertificate, type PeerCertificate } from './peer-certificate.js';
import { certificatesFrom, type PemInput } from './pem.js';

let mozilla: TrustStore | null = null;

/** The Mozilla roots bundled with Node, parsed once (a root our parser refuses is left out). */
export function defaultTrustStore(): TrustStore {
  if (mozilla !== null) return mozilla;
  const store = new TrustStore();
  for (const pem of rootCertificates) {
    for (const der of decodePemCertificates(pem)) {
      try {
        store.add(der);
      } catch {
        // An anchor we cannot parse cannot anchor a path either.
      }
    }
  }
  mozilla = store;
  return store;
}

const verifiers = new WeakMap<TrustStore, WeakMap<CryptoProvider, CertificateVerifier>>();

// Stores parsed from a `ca` option, so that connections given the same PEM (every `connect()` with the
// same options) share one store and its verifiers instead of parsing it again. Bounded: a few CAs at most.
const storesByString = new Map<string, TrustStore>();
const storesByObject = new WeakMap<object, TrustStore>();
const MAX_CACHED_STORES = 16;

export function trustStoreFrom(ca: PemInput | undefined): TrustStore {
  if (ca === undefined) return defaultTrustStore();
  // Arrays and buffers may be changed by the caller later: only a string (immutable) or a frozen array is keyed.
  if (typeof ca === 'string') {
    let store = storesByString.get(ca);
    if (store === undefined) {
      store = new TrustStore(certificatesFrom(ca, 'ca'));
      if (storesByString.size >= MAX_CACHED_STORES) storesByString.delete(storesByString.keys().next().value as string);
      storesByString.set(ca, store);
    }
    return store;
  }
  if (Array.isArray(ca) && Object.isFrozen(ca) && ca.every((x) => typeof x === 'string')) {
    let store = storesByObject.get(ca);
    if (store === undefined) {
      store = new TrustStore(certificatesFrom(ca, 'ca'));
      storesByObject.set(ca, store);
    }
    return store;
  }
  return new TrustStore(certificatesFrom(ca, 'ca'));
}

/**
 * One verifier per store and provider: chain signatures are checked with the connection's provider,
 * and the verifier keeps the peer certificates it parsed (a server's chain comes back on every
 * handshake), so connections sharing a store share those parses.
 */
function verifierFor(store: TrustStore, provider: CryptoProvider): CertificateVerifier {
  let byProvider = verifiers.get(store);
  if (byProvider === undefined) {
    byProvider = new WeakMap();
    verifiers.set(store, byProvider);
  }
  let v = byProvider.get(provider);
  if (v === undefined) {
    v = createCertificateVerifier({ trustAnchors: store, provider });
    byProvider.set(provider, v);
  }
  return v;
}

/** Outcome of verification as node:tls reports it on the socket. */
export interface AuthorizationState {
  authorized: boolean;
  authorizationError: string | undefined;
}

export interface VerifyPolicy {
  readonly store: TrustStore;
  /** Checks the chain's signatures: the connection's provider (default: the one `provider: 'auto'` picks). */
  readonly provider?: CryptoProvider;
  readonly rejectUnauthorized: boolean;
  /** Client side: the host to check the certificate against (node's `servername ?? host`). */
  readonly host?: string;
  readonly checkServerIdentity?: (host: string, cert: PeerCertificate) => Error | undefined;
}

/** An engine verifier applying `policy` and recording the outcome in `state`. */
export function policyVerifier(policy: VerifyPolicy, state: AuthorizationState): EngineVerifier {
  const inner = verifierFor(policy.store, resolveProvider(policy.provider));
  return {
    async verify(req: CertificateVerifyRequest): Promise<CertificateVerifyResult> {
      const custom = policy.checkServerIdentity;
      const host = policy.host;
      // With a custom identity check, the chain is validated without a name and the callback decides.
      const res = await inner.verify({
        chain: req.chain,
        usage: req.usage,
        now: req.now,
        ...(custom === undefined && host !== undefined && req.usage === 'serverAuth' ? { serverName: host } : {}),
      });
      let failure: { code: string; alert: AlertDescriptionName; message: string } | null =
        res.ok ? null : { code: res.code, alert: res.alert, message: res.message };
      if (failure === null && custom !== undefined && host !== undefined && req.usage === 'serverAuth') {
        const leaf = req.chain[0];
        const err = leaf === undefined ? new Error('no certificate') : custom(host, peerCertificate(req.chain));
        if (err !== undefined) {
          const code = typeof (err as { code?: unknown }).code === 'string' ? (err as unknown as { code: string }).code : 'ERR_TLS_CERT_ALTNAME_INVALID';
          failure = { code, alert: 'bad_certificate', message: err.message };
        }
      }
      if (failure === null) {
        state.authorized = true;
        state.authorizationError = undefined;
        return res;
      }
      state.authorized = false;
      state.authorizationError = failure.code;
      if (policy.rejectUnauthorized) return { ok: false, ...failure };
      // node:tls semantics: go on, the application looks at `authorized`.
      const leaf = req.chain[0];
      if (leaf === undefined) return { ok: false, ...failure };
      try {
        return { ok: true, publicKey: parseCertificate(leaf).publicKey };
      } catch {
        return { ok: false, ...failure };
      }
    },
  };
}
