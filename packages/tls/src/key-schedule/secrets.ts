/**
 * The TLS 1.3 key schedule (RFC 8446 §7.1) as a typestate: `EarlySecret` → `HandshakeSecret` →
 * `MasterSecret`. Each stage exposes only the derivations that are legal at that point, and moving on
 * consumes the stage (a consumed stage refuses further use), so a state machine cannot derive a
 * handshake key from the wrong secret or reuse a stage by mistake.
 */
import { deriveSecret, hkdfExpandLabel, type CryptoProvider, type HashName } from '@puretls/crypto';

export interface KeyScheduleContext {
  readonly provider: CryptoProvider;
  readonly hash: HashName;
  readonly hashLength: number;
  /** HKDF-Expand-Label prefix: undefined for "tls13 ", "dtls13" for DTLS 1.3 (RFC 9147 §5.9). */
  readonly labelPrefix?: Uint8Array | undefined;
}

abstract class Stage {
  #secret: Uint8Array | null;
  constructor(
    protected readonly ctx: KeyScheduleContext,
    secret: Uint8Array,
  ) {
    this.#secret = secret;
  }

  protected get secret(): Uint8Array {
    if (this.#secret === null) throw new Error('key schedule stage used after it was consumed');
    return this.#secret;
  }

  protected derive(label: string, transcriptHash: Uint8Array): Uint8Array {
    return deriveSecret(this.ctx.provider, this.ctx.hash, this.secret, label, transcriptHash, this.ctx.labelPrefix);
  }

  /** Salt for the next extraction: Derive-Secret(., "derived", "") (RFC 8446 §7.1). */
  protected consume(): Uint8Array {
    const salt = this.derive('derived', emptyHash(this.ctx));
    this.#secret = null;
    return salt;
  }
}

export class EarlySecret extends Stage {
  /** HKDF-Extract(0, PSK or 0^HashLen) (RFC 8446 §7.1). */
  constructor(ctx: KeyScheduleContext, psk?: Uint8Array) {
    const zeros = (): Uint8Array => new Uint8Array(ctx.hashLength);
    // Without a PSK the early secret is a constant of the hash (and of the provider computing it).
    super(ctx, psk !== undefined ? ctx.provider.hkdfExtract(ctx.hash, zeros(), psk) : constant(ctx, 'early', () => ctx.provider.hkdfExtract(ctx.hash, zeros(), zeros())));
  }

  /** The secret itself, only for checking against published traces. */
  get value(): Uint8Array {
    return this.secret;
  }

  /**
   * binder_key: "ext binder" or "res binder" over the empty transcript (RFC 8446 §7.1); "imp binder"
   * for a PSK imported with RFC 9258 (§5.2).
   */
  binderKey(external: boolean, imported = false): Uint8Array {
    return this.derive(imported ? 'imp binder' : external ? 'ext binder' : 'res binder', emptyHash(this.ctx));
  }

  clientEarlyTrafficSecret(transcriptHash: Uint8Array): Uint8Array {
    return this.derive('c e traffic', transcriptHash);
  }

  earlyExporterMasterSecret(transcriptHash: Uint8Array): Uint8Array {
    return this.derive('e exp master', transcriptHash);
  }

  /** Handshake Secret = HKDF-Extract(Derive-Secret(., "derived", ""), (EC)DHE or 0) (RFC 8446 §7.1). */
  toHandshake(sharedSecret: Uint8Array | null): HandshakeSecret {
    return new HandshakeSecret(this.ctx, this.ctx.provider.hkdfExtract(this.ctx.hash, this.consume(), sharedSecret ?? new Uint8Array(this.ctx.hashLength)));
  }
}

export class HandshakeSecret extends Stage {
  get value(): Uint8Array {
    return this.secret;
  }

  clientHandshakeTrafficSecret(transcriptHash: Uint8Array): Uint8Array {
    return this.derive('c hs traffic', transcriptHash);
  }

  serverHandshakeTrafficSecret(transcriptHash: Uint8Array): Uint8Array {
    return this.derive('s hs traffic', transcriptHash);
  }

  toMaster(): MasterSecret {
    return new MasterSecret(this.ctx, this.ctx.provider.hkdfExtract(this.ctx.hash, this.consume(), new Uint8Array(this.ctx.hashLength)));
  }
}

export class MasterSecret extends Stage {
  get value(): Uint8Array {
    return this.secret;
  }

  clientApplicationTrafficSecret(transcriptHash: Uint8Array): Uint8Array {
    return this.derive('c ap traffic', transcriptHash);
  }

  serverApplicationTrafficSecret(transcriptHash: Uint8Array): Uint8Array {
    return this.derive('s ap traffic', transcriptHash);
  }

  exporterMasterSecret(transcriptHash: Uint8Array): Uint8Array {
    return this.derive('exp master', transcriptHash);
  }

  resumptionMasterSecret(transcriptHash: Uint8Array): Uint8Array {
    return this.derive('res master', transcriptHash);
  }
}

// Values that depend only on the provider and the hash, computed once: a copy is handed out each time.
const constants = new WeakMap<CryptoProvider, Map<string, Uint8Array>>();

function constant(ctx: KeyScheduleContext, what: string, compute: () => Uint8Array): Uint8Array {
  let byName = constants.get(ctx.provider);
  if (byName === undefined) constants.set(ctx.provider, (byName = new Map()));
  const key = `${what}/${ctx.hash}`;
  let v = byName.get(key);
  if (v === undefined) byName.set(key, (v = compute()));
  return v.slice();
}

function emptyHash(ctx: KeyScheduleContext): Uint8Array {
  return constant(ctx, 'empty', () => ctx.provider.hash(ctx.hash).digest(new Uint8Array(0)));
}

/** finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length) (RFC 8446 §4.4.4). */
export function finishedKey(ctx: KeyScheduleContext, baseKey: Uint8Array): Uint8Array {
  return hkdfExpandLabel(ctx.provider, ctx.hash, baseKey, 'finished', new Uint8Array(0), ctx.hashLength, ctx.labelPrefix);
}

/** verify_data = HMAC(finished_key, Transcript-Hash(...)) (RFC 8446 §4.4.4); also PSK binders. */
export function finishedVerifyData(ctx: KeyScheduleContext, baseKey: Uint8Array, transcriptHash: Uint8Array): Uint8Array {
  return ctx.provider.hmac(ctx.hash, finishedKey(ctx, baseKey), transcriptHash);
}

/** application_traffic_secret_N+1 (RFC 8446 §7.2). */
export function nextTrafficSecret(ctx: KeyScheduleContext, secret: Uint8Array): Uint8Array {
  return hkdfExpandLabel(ctx.provider, ctx.hash, secret, 'traffic upd', new Uint8Array(0), ctx.hashLength, ctx.labelPrefix);
}

/** The PSK of a ticket: HKDF-Expand-Label(resumption_master_secret, "resumption", nonce) (RFC 8446 §4.6.1). */
export function resumptionPsk(ctx: KeyScheduleContext, resumptionMasterSecret: Uint8Array, ticketNonce: Uint8Array): Uint8Array {
  return hkdfExpandLabel(ctx.provider, ctx.hash, resumptionMasterSecret, 'resumption', ticketNonce, ctx.hashLength, ctx.labelPrefix);
}

/** TLS-Exporter(label, context, length) from an (early) exporter master secret (RFC 8446 §7.5). */
export function exportKeyingMaterial(
  ctx: KeyScheduleContext,
  exporterMasterSecret: Uint8Array,
  label: string,
  context: Uint8Array,
  length: number,
): Uint8Array {
  const h = ctx.provider.hash(ctx.hash);
  const secret = deriveSecret(ctx.provider, ctx.hash, exporterMasterSecret, label, h.digest(new Uint8Array(0)), ctx.labelPrefix);
  return hkdfExpandLabel(ctx.provider, ctx.hash, secret, 'exporter', h.digest(context), length, ctx.labelPrefix);
}
