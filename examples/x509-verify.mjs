// Parsing and verifying certificates with @puretls/x509 against the generated Mozilla root module.
// (A full leaf → intermediate → root example with a throwaway CA is in the demo.)
import { parseCertificate, verifyCertificateChain } from '@puretls/x509';
import { MOZILLA_ROOTS_BASE64, mozillaRoots } from '@puretls/x509/mozilla-roots';

const roots = mozillaRoots();
console.log(`trust store: ${roots.size} Mozilla roots`);

const der = Uint8Array.from(atob(MOZILLA_ROOTS_BASE64[0]), (c) => c.charCodeAt(0));
const cert = parseCertificate(der);
console.log('subject:     ', cert.subject.text);
console.log('valid:       ', cert.notBefore.toISOString(), '→', cert.notAfter.toISOString());
console.log('public key:  ', cert.keyType, `${cert.keyBits} bits`);
console.log('fingerprint: ', cert.fingerprint256);

// A root presented as a server's own certificate: a trust anchor, yet refused as a server's (its
// keyUsage lacks the digitalSignature a TLS 1.3 CertificateVerify needs; it names no server either).
// Checked at a fixed time inside the root's validity (not today: roots expire, and the example would
// then print CERT_HAS_EXPIRED instead of the name mismatch it is about).
const time = new Date((cert.notBefore.getTime() + cert.notAfter.getTime()) / 2);
const asServer = await verifyCertificateChain({
  leaf: der, trustAnchors: roots, time, serverName: 'example.com', usage: 'serverAuth',
});
console.log('checked at:  ', time.toISOString());
console.log('as a server certificate for example.com:', asServer.ok ? 'ok' : `${asServer.error.code} (alert ${asServer.error.alert}): ${asServer.error.message}`);

// Garbage is refused with a typed error, never an exception from the DER parser.
try {
  parseCertificate(new Uint8Array([0x30, 0x82, 0xff, 0xff, 1, 2, 3]));
} catch (e) {
  console.log('garbage:', e.code, '-', e.message);
}
