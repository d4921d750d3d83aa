/**
 * The DTLS tests' server identity: an Ed25519 key behind a stub chain (a placeholder certificate and
 * the SPKI) and a verifier that accepts exactly that key, so the UDP tests need no PKI.
 */
import { generateKeyPairSync } from 'node:crypto';
import { parseSpki } from '@puretls/crypto';
import { createNobleProvider } from '@puretls/crypto/noble';
import type { CertificateVerifier } from '@puretls/tls';

export const provider = createNobleProvider();
const kp = generateKeyPairSync('ed25519');
export const pkcs8 = new Uint8Array(kp.privateKey.export({ format: 'der', type: 'pkcs8' }));
export const spki = new Uint8Array(kp.publicKey.export({ format: 'der', type: 'spki' }));
export const chain = [Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x07), spki];
export const verifier: CertificateVerifier = {
  async verify(req) {
    const ok = req.chain.length === 2 && Buffer.from(req.chain[1] as Uint8Array).equals(Buffer.from(spki));
    return ok ? { ok: true, publicKey: parseSpki(spki) } : { ok: false, code: 'UNKNOWN', alert: 'bad_certificate', message: 'unknown' };
  },
} as CertificateVerifier;
