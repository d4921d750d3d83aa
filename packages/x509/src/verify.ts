/**
 * `verifyCertificateChain`: path building from the leaf through intermediates given in any order
 * (duplicates and junk allowed) to any trust anchor, trying alternatives depth first — several
 * issuers with one name, cross-signed CAs — with AKI/SKI only ordering the candidates, never deciding.
 * Loops are refused (a certificate, or a name+key pair, appears once per path). Budgets on
 * intermediates, candidates, signature checks (weighted by cost: `signature-cost.ts`) and
 * name-constraint comparisons bound the work a hostile chain can cause. The first path that passes
 * every check of `policy.ts` wins.
 */
import type { CryptoProvider } from '@puretls/crypto';
import { nobleProvider } from '@puretls/crypto/noble-lazy';
import { bytesEqual } from '@puretls/wire';
import { type Certificate, parseCertificate } from './certificate.js';
import { X509Error } from './errors.js';
import { checkServerIdentity } from './identity.js';
import { type Usage, checkPath } from './policy.js';
import { checkCertificateSignature } from './signature.js';
import { signatureCheckCost } from './signature-cost.js';
import { TrustStore } from './trust-store.js';

export interface VerifyBudget {
  /** Intermediates accepted as input (default 256). */
  readonly maxIntermediates?: number;
  /** Issuer candidates considered over the whole search (default 1000). */
  readonly maxCandidates?: number;
  /**
   * Signature verifications, each weighted by the cost of the issuer's key (default 100). A check
   * counts at least 1 (RSA up to 4096 bits with e = 65537), else about 1 per ms of pure-JS work:
   * Ed25519 1.5, P-256 2, P-384 and Ed448 5, P-521 10, RSA-16384 with a 64-bit exponent 20
   * (`signature-cost.ts`). A check that would take the total over the budget is not made: the
   * default bounds a hostile chain to about 100 ms of signature work with the noble provider.
   */
  readonly maxSignatureChecks?: number;
  /** Name-constraint comparisons (default 100 000). */
  readonly maxNameConstraintComparisons?: number;
}

export interface VerifyChainOptions {
  /** The end-entity certificate (DER or parsed). */
  readonly leaf: Uint8Array | Certificate;
  /** Candidate intermediates, any order; unparsable ones are ignored. */
  readonly intermediates?: readonly (Uint8Array | Certificate)[];
  readonly trustAnchors: TrustStore | readonly (Uint8Array | Certificate)[];
  readonly time: Date;
  /** A DNS name or an IP literal to check the leaf against (RFC 9525); omitted: no name check. */
  readonly serverName?: string;
  readonly usage: Usage;
  /** Most intermediates between leaf and anchor (default 8; the leaf and the anchor do not count). */
  readonly maxChainDepth?: number;
  /** Verifies signatures; the noble provider by default. */
  readonly provider?: CryptoProvider;
  readonly budget?: VerifyBudget;
}

export type VerifyChainResult =
  | { readonly ok: true; /** Leaf first, trust anchor last. */ readonly chain: readonly Certificate[] }
  | { readonly ok: false; readonly error: X509Error };

export const DEFAULTS = { maxIntermediates: 256, maxCandidates: 1000, maxSignatureChecks: 100, maxNameConstraintComparisons: 100_000 };
const DEFAULT_MAX_DEPTH = 8;

function budgetError(what: string): X509Error {
  return new X509Error('VERIFY_BUDGET_EXCEEDED', `certificate path building exceeded its budget: ${what}`);
}

function checkCount(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer`);
  return value;
}

/**
 * Signatures already seen to verify, as `<certificate SHA-256>/<issuer SHA-256>`: a pure function of
 * those exact bytes (and of the provider, fixed per verifier), so a client that meets the same chain
 * again skips the issuer's signature check. Only successes are kept; validity, usage, constraints and
 * names are checked again every time. Bounded; the oldest entry goes first.
 */
export class SignatureMemo {
  readonly #verified = new Set<string>();
  constructor(readonly capacity: number) {}

  has(key: string): boolean {
    return this.#verified.has(key);
  }

  add(key: string): void {
    this.#verified.add(key);
    if (this.#verified.size > this.capacity) this.#verified.delete(this.#verified.values().next().value as string);
  }
}

class PathBuilder {
  readonly #anchors: TrustStore;
  readonly #bySubject = new Map<string, Certificate[]>();
  readonly #provider: CryptoProvider;
  readonly #time: Date;
  readonly #usage: Usage;
  readonly #maxDepth: number;
  readonly #maxCandidates: number;
  readonly #maxSignatures: number;
  readonly #signatureCache = new Map<string, X509Error | null>();
  readonly #memo: SignatureMemo | undefined;
  readonly ncBudget: { remaining: number };
  #candidates = 0;
  /** Weighted signature checks spent so far. */
  #signatureCost = 0;
  pathError: X509Error | null = null;
  edgeError: X509Error | null = null;
  depthExceeded = false;
  selfSignedInChain = false;

  constructor(anchors: TrustStore, intermediates: readonly Certificate[], o: VerifyChainOptions, budget: Required<VerifyBudget>, maxDepth: number, memo: SignatureMemo | undefined) {
    this.#anchors = anchors;
    this.#memo = memo;
    for (const c of intermediates) {
      const list = this.#bySubject.get(c.subject.key);
      if (list === undefined) this.#bySubject.set(c.subject.key, [c]);
      else list.push(c);
    }
    this.#provider = o.provider ?? nobleProvider;
    this.#time = o.time;
    this.#usage = o.usage;
    this.#maxDepth = maxDepth;
    this.#maxCandidates = budget.maxCandidates;
    this.#maxSignatures = budget.maxSignatureChecks;
    this.ncBudget = { remaining: budget.maxNameConstraintComparisons };
  }

  /** Issuer candidates of `cert`: anchors first, then intermediates whose SKI matches the AKI. */
  #candidatesFor(cert: Certificate): { cert: Certificate; anchor: boolean }[] {
    const aki = cert.extensions.authorityKeyIdentifier;
    const rank = (c: Certificate): number => {
      const ski = c.extensions.subjectKeyIdentifier;
      if (aki === null || ski === null) return 1;
      return bytesEqual(aki, ski) ? 0 : 2;
    };
    const byRank = (a: Certificate, b: Certificate): number => rank(a) - rank(b);
    const anchors = [...this.#anchors.bySubject(cert.issuer.key)].sort(byRank);
    const inter = [...(this.#bySubject.get(cert.issuer.key) ?? [])].sort(byRank);
    return [...anchors.map((c) => ({ cert: c, anchor: true })), ...inter.map((c) => ({ cert: c, anchor: false }))];
  }

  async #signatureOk(cert: Certificate, issuer: Certificate): Promise<boolean> {
    const key = `${cert.fingerprint256}/${issuer.fingerprint256}`;
    let result = this.#signatureCache.get(key);
    if (result === undefined && this.#memo?.has(key) === true) result = null;
    if (result === undefined) {
      // With keys of weight 1 this is the plain count it always was.
      this.#signatureCost += signatureCheckCost(cert, issuer);
      if (this.#signatureCost > this.#maxSignatures) throw budgetError(`more than ${this.#maxSignatures} signature checks (weighted by key cost)`);
      result = await checkCertificateSignature(cert, issuer, this.#provider);
      this.#signatureCache.set(key, result);
      if (result === null) this.#memo?.add(key);
    }
    if (result !== null && this.edgeError === null) this.edgeError = result;
    return result === null;
  }

  #accept(path: readonly Certificate[]): boolean {
    const err = checkPath(path, this.#time, this.#usage, this.ncBudget);
    if (err === null) return true;
    if (this.pathError === null) this.pathError = err;
    return false;
  }

  /** Extends `path` (leaf first) to an anchor; the accepted path, or null. */
  async extend(path: Certificate[]): Promise<Certificate[] | null> {
    const cur = path[path.length - 1] as Certificate;
    const candidates = this.#candidatesFor(cur);
    let progressed = false;
    for (const { cert, anchor } of candidates) {
      if (++this.#candidates > this.#maxCandidates) throw budgetError(`more than ${this.#maxCandidates} issuer candidates`);
      // Loops: the same certificate, or the same name and key (a re-issued or cross-signed twin).
      if (path.some((p) => p.fingerprint256 === cert.fingerprint256 || (p.subject.key === cert.subject.key && bytesEqual(p.spki, cert.spki)))) continue;
      if (!anchor && path.length > this.#maxDepth) {
        this.depthExceeded = true;
        continue;
      }
      if (!(await this.#signatureOk(cur, cert))) continue;
      progressed = true;
      const next = [...path, cert];
      if (anchor) {
        if (this.#accept(next)) return next;
        continue;
      }
      const found = await this.extend(next);
      if (found !== null) return found;
    }
    if (!progressed && path.length > 1 && cur.selfIssued) this.selfSignedInChain = true;
    return null;
  }
}

function toCertificate(c: Uint8Array | Certificate, what: string): Certificate {
  if (c instanceof Uint8Array) return parseCertificate(c);
  if (c !== null && typeof c === 'object' && c.der instanceof Uint8Array) return c;
  throw new TypeError(`${what} must be DER bytes or a parsed Certificate`);
}

export function verifyCertificateChain(options: VerifyChainOptions): Promise<VerifyChainResult> {
  return verifyChainWith(options, undefined);
}

/** `verifyCertificateChain` remembering verified signatures in `memo` (a verifier's, same provider). */
export async function verifyChainWith(options: VerifyChainOptions, memo: SignatureMemo | undefined): Promise<VerifyChainResult> {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  const { time, usage } = options;
  if (!(time instanceof Date) || Number.isNaN(time.getTime())) throw new TypeError('options.time must be a valid Date');
  if (usage !== 'serverAuth' && usage !== 'clientAuth') throw new TypeError("options.usage must be 'serverAuth' or 'clientAuth'");
  if (options.serverName !== undefined && typeof options.serverName !== 'string') throw new TypeError('options.serverName must be a string');
  const maxDepth = checkCount(options.maxChainDepth, DEFAULT_MAX_DEPTH, 'options.maxChainDepth');
  const b = options.budget ?? {};
  const budget: Required<VerifyBudget> = {
    maxIntermediates: checkCount(b.maxIntermediates, DEFAULTS.maxIntermediates, 'options.budget.maxIntermediates'),
    maxCandidates: checkCount(b.maxCandidates, DEFAULTS.maxCandidates, 'options.budget.maxCandidates'),
    maxSignatureChecks: checkCount(b.maxSignatureChecks, DEFAULTS.maxSignatureChecks, 'options.budget.maxSignatureChecks'),
    maxNameConstraintComparisons: checkCount(b.maxNameConstraintComparisons, DEFAULTS.maxNameConstraintComparisons, 'options.budget.maxNameConstraintComparisons'),
  };
  const ta = options.trustAnchors;
  if (!(ta instanceof TrustStore) && !Array.isArray(ta)) throw new TypeError('options.trustAnchors must be a TrustStore or an array');
  // A malformed anchor is the caller's configuration error: it throws.
  const anchors = ta instanceof TrustStore ? ta : new TrustStore(ta.map((c) => toCertificate(c, 'options.trustAnchors[]')));
  const inputs = options.intermediates ?? [];
  if (!Array.isArray(inputs)) throw new TypeError('options.intermediates must be an array');

  let leaf: Certificate;
  try {
    leaf = toCertificate(options.leaf, 'options.leaf');
  } catch (e) {
    if (e instanceof X509Error) return { ok: false, error: e };
    throw e;
  }
  if (inputs.length > budget.maxIntermediates) {
    return { ok: false, error: budgetError(`${inputs.length} intermediates offered, at most ${budget.maxIntermediates} are considered`) };
  }
  const seen = new Set<string>([leaf.fingerprint256]);
  const intermediates: Certificate[] = [];
  for (const c of inputs) {
    let cert: Certificate;
    try {
      cert = toCertificate(c, 'an intermediate');
    } catch (e) {
      // Junk in the chain is ignored: the path either builds without it or fails for its own reason.
      if (e instanceof X509Error) continue;
      throw e;
    }
    if (seen.has(cert.fingerprint256) || anchors.byFingerprint(cert.fingerprint256) !== undefined) continue;
    seen.add(cert.fingerprint256);
    intermediates.push(cert);
  }

  const builder = new PathBuilder(anchors, intermediates, options, budget, maxDepth, memo);
  let chain: Certificate[] | null = null;
  try {
    const asAnchor = anchors.byFingerprint(leaf.fingerprint256);
    // A leaf that is itself a trust anchor (a pinned self-signed certificate) is a path of one.
    if (asAnchor !== undefined) {
      const err = checkPath([asAnchor], time, usage, builder.ncBudget);
      if (err === null) chain = [asAnchor];
      else builder.pathError = err;
    }
    if (chain === null) chain = await builder.extend([leaf]);
  } catch (e) {
    if (e instanceof X509Error) return { ok: false, error: e };
    throw e;
  }
  if (chain === null) return { ok: false, error: noPathError(leaf, builder) };
  if (options.serverName !== undefined) {
    const err = checkServerIdentity(leaf, options.serverName);
    if (err !== null) return { ok: false, error: err };
  }
  return { ok: true, chain };
}

function noPathError(leaf: Certificate, b: PathBuilder): X509Error {
  if (b.pathError !== null) return b.pathError;
  if (b.edgeError !== null) return b.edgeError;
  if (b.depthExceeded) return new X509Error('CERT_CHAIN_TOO_LONG', 'the certificate chain is longer than the allowed depth');
  if (leaf.selfIssued) {
    return new X509Error('DEPTH_ZERO_SELF_SIGNED_CERT', `"${leaf.subject.text}" is self-signed and not trusted`);
  }
  if (b.selfSignedInChain) {
    return new X509Error('SELF_SIGNED_CERT_IN_CHAIN', `the chain of "${leaf.subject.text}" ends at a self-signed certificate that is not trusted`);
  }
  return new X509Error('UNABLE_TO_GET_ISSUER_CERT_LOCALLY', `no trusted issuer found for "${leaf.subject.text}" (issuer "${leaf.issuer.text}")`);
}
