/**
 * A power-on style self-check of a `CryptoProvider`: known answers from the RFCs for every primitive
 * family, plus sign/verify and seal/open round trips with tampering. It proves a provider is wired
 * correctly in the runtime at hand; the full proof is the Wycheproof and RFC vector suite in tests.
 */
import { constantTimeEqual } from './constant-time.js';
import { rsaPrivateKeyFromComponents } from './rsa/key.js';
import type { AeadName, CryptoProvider, NamedGroupName, PrivateKey, PublicKey, SignatureSchemeName } from './types.js';

export interface SelfCheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly ms: number;
}

const hex = (s: string): Uint8Array => {
  const clean = s.replace(/[\s:]/g, '');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
};
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

// The server key of RFC 8448 §2 (published test key, 1024 bits): p, q and d; the rest is derived.
const RFC8448_RSA = {
  p:
    'e435fb7cc83737756dacea96ab7f59a2cc1069db7deb190e17e33a532b273f30a327aa0aaabc58cd67466af9845fadc6' +
    '75fe094af92c4bd1f2c1bc33dd2e0515',
  q:
    'cabd3bc0e0438664c8d4cc9f99977a94d9bbfead8e43870abae3f7eb8b4e0eee8af1d9b4719ba6196cf2cbbaeeebf8b3' +
    '490afe9e9ffa74a88aa51fc645629303',
  d:
    '04dea705d43a6ea7209dd8072111a83c81e322a59278b33480641eaf7c0a6985b8e31c44f6de62e1b4c2309f6126e77b' +
    '7c41e923314bbfa3881305dc1217f16c819ce538e922f369828d0e57195d8c8488460207b2faa726bcf708bbd7db7f67' +
    '9f893492fc2a622e08970aac441ce4e0c3088df25ae679233df8a3bda2ff9941',
};

type Check = readonly [name: string, run: (p: CryptoProvider) => Promise<string> | string];

function expectEqual(got: Uint8Array, want: Uint8Array, what: string): string {
  if (!constantTimeEqual(got, want)) throw new Error(`${what} differs from the known answer`);
  return `${what} matches the known answer`;
}

const CHECKS: readonly Check[] = [
  ['SHA-256 (FIPS 180-4 "abc")', (p) =>
    expectEqual(p.hash('SHA-256').digest(utf8('abc')), hex('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'), 'digest')],
  ['HKDF-SHA-256 (RFC 5869 A.1)', (p) => {
    const prk = p.hkdfExtract('SHA-256', hex('000102030405060708090a0b0c'), hex('0b'.repeat(22)));
    expectEqual(prk, hex('077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5'), 'PRK');
    const okm = p.hkdfExpand('SHA-256', prk, hex('f0f1f2f3f4f5f6f7f8f9'), 42);
    return expectEqual(okm, hex('3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865'), 'PRK and OKM');
  }],
  ['ChaCha20-Poly1305 (RFC 8439 §2.8.2)', (p) => {
    const aead = p.aead('CHACHA20-POLY1305').create(hex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f'));
    const nonce = hex('070000004041424344454647');
    const aad = hex('50515253c0c1c2c3c4c5c6c7');
    const pt = utf8("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.");
    const sealed = aead.seal(nonce, pt, aad);
    expectEqual(sealed.subarray(pt.length), hex('1ae10b594f09e26a7e902ecbd0600691'), 'tag');
    expectEqual(sealed.subarray(0, 16), hex('d31a8d34648e60db7b86afbc53ef7ec2'), 'ciphertext');
    const opened = aead.open(nonce, sealed, aad);
    if (opened === null) throw new Error('open failed');
    return 'ciphertext and tag match; opens';
  }],
  ...(['AES-128-GCM', 'AES-256-GCM', 'AES-128-CCM', 'AES-128-CCM-8'] as const).map((name: AeadName): Check => [
    `${name} seal/open and tamper`,
    (p) => {
      const alg = p.aead(name);
      const aead = alg.create(p.randomBytes(alg.keyLength));
      const nonce = p.randomBytes(alg.nonceLength);
      const pt = p.randomBytes(100);
      const sealed = aead.seal(nonce, pt, utf8('aad'));
      const opened = aead.open(nonce, sealed, utf8('aad'));
      if (opened === null || !constantTimeEqual(opened, pt)) throw new Error('round trip failed');
      sealed[3] = (sealed[3] as number) ^ 1;
      if (aead.open(nonce, sealed, utf8('aad')) !== null) throw new Error('tampered ciphertext opened');
      return `${alg.tagLength}-byte tag; tampering detected`;
    },
  ]),
  ['X25519 (RFC 7748 §6.1)', (p) => {
    const g = p.group('x25519');
    const alice = g.keyPairFromPrivateKey(hex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'));
    expectEqual(alice.publicKey, hex('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a'), 'public key');
    const k = g.sharedSecret(alice.privateKey, hex('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f'));
    return expectEqual(k, hex('4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742'), 'public key and shared secret');
  }],
  ...(['x448', 'secp256r1', 'secp384r1', 'secp521r1'] as const).map((name: NamedGroupName): Check => [
    `${name} key agreement`,
    (p) => {
      const g = p.group(name);
      const a = g.generateKeyPair();
      const b = g.generateKeyPair();
      if (!constantTimeEqual(g.sharedSecret(a.privateKey, b.publicKey), g.sharedSecret(b.privateKey, a.publicKey))) {
        throw new Error('the two sides disagree');
      }
      return `${g.publicKeyLength}-byte shares agree`;
    },
  ]),
  ['Ed25519 (RFC 8032 §7.1 TEST 1)', async (p) => {
    const priv: PrivateKey = { kind: 'ed25519', seed: hex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60') };
    const pub: PublicKey = { kind: 'ed25519', key: hex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a') };
    const sig = await p.sign('ed25519', priv, new Uint8Array(0));
    expectEqual(sig, hex('e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b'), 'signature');
    if (!(await p.verify('ed25519', pub, new Uint8Array(0), sig))) throw new Error('verify failed');
    return 'signature matches; verifies';
  }],
  ...(
    [
      ['ecdsa_secp256r1_sha256', 'secp256r1', 'P-256'],
      ['ecdsa_secp384r1_sha384', 'secp384r1', 'P-384'],
      ['ecdsa_secp521r1_sha512', 'secp521r1', 'P-521'],
    ] as const
  ).map(([scheme, group, curve]): Check => [
    `${scheme} sign/verify and tamper`,
    async (p) => {
      const kp = p.group(group).generateKeyPair();
      const priv: PrivateKey = { kind: 'ec', curve, d: kp.privateKey };
      const pub: PublicKey = { kind: 'ec', curve, point: kp.publicKey };
      return signRoundTrip(p, scheme, priv, pub);
    },
  ]),
  ['rsa_pss_rsae_sha256 sign/verify and tamper (RFC 8448 §2 key)', async (p) => {
    const big = (h: string): bigint => BigInt(`0x${h}`);
    const priv = rsaPrivateKeyFromComponents({ e: 65537n, d: big(RFC8448_RSA.d), p: big(RFC8448_RSA.p), q: big(RFC8448_RSA.q) });
    return signRoundTrip(p, 'rsa_pss_rsae_sha256', priv, { kind: 'rsa', n: priv.n, e: priv.e });
  }],
];

async function signRoundTrip(p: CryptoProvider, scheme: SignatureSchemeName, priv: PrivateKey, pub: PublicKey): Promise<string> {
  const msg = utf8('TLS 1.3, server CertificateVerify');
  const sig = await p.sign(scheme, priv, msg);
  if (!(await p.verify(scheme, pub, msg, sig))) throw new Error('own signature does not verify');
  if (await p.verify(scheme, pub, utf8('another message'), sig)) throw new Error('signature verifies over another message');
  return `${sig.length}-byte signature verifies; a different message is refused`;
}

/** Runs every check; never throws (a failure is a result with ok: false). */
export async function runSelfCheck(provider: CryptoProvider, now: () => number = () => 0): Promise<SelfCheckResult[]> {
  const results: SelfCheckResult[] = [];
  for (const [name, run] of CHECKS) {
    const t0 = now();
    try {
      const detail = await run(provider);
      results.push({ name, ok: true, detail, ms: now() - t0 });
    } catch (e) {
      results.push({ name, ok: false, detail: e instanceof Error ? e.message : String(e), ms: now() - t0 });
    }
  }
  return results;
}
