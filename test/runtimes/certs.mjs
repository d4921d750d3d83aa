// Test PKI made with the openssl CLI: a root CA, an intermediate, and two server certificates
// (ECDSA P-256 and RSA-2048) for localhost / 127.0.0.1, keys in PKCS#8. Node only (the driver and
// vitest use it); the runtimes receive the PEM text.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function openssl(dir, args) {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** @returns {import('./certs.d.mts').TestPki} */
export function makeTestPki() {
  const dir = mkdtempSync(join(tmpdir(), 'puretls-pki-'));
  try {
    writeFileSync(join(dir, 'ca.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n');
    writeFileSync(join(dir, 'int.ext'), 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n');
    writeFileSync(join(dir, 'leaf.ext'), 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\nauthorityKeyIdentifier=keyid\n');
    const key = (name, alg) => openssl(dir, ['genpkey', ...alg, '-out', `${name}.key`]);
    const ec = ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'];
    key('ca', ec);
    openssl(dir, ['req', '-new', '-key', 'ca.key', '-subj', '/CN=puretls test root CA', '-config', '/dev/null', '-out', 'ca.csr']);
    openssl(dir, ['x509', '-req', '-in', 'ca.csr', '-signkey', 'ca.key', '-days', '3', '-sha256', '-extfile', 'ca.ext', '-out', 'ca.pem']);
    const issue = (name, alg, subject, issuer, ext) => {
      key(name, alg);
      openssl(dir, ['req', '-new', '-key', `${name}.key`, '-subj', subject, '-config', '/dev/null', '-out', `${name}.csr`]);
      openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`, '-CAcreateserial', '-days', '2', '-sha256', '-extfile', ext, '-out', `${name}.pem`]);
    };
    issue('int', ec, '/CN=puretls test intermediate CA', 'ca', 'int.ext');
    issue('ecdsa', ec, '/CN=localhost', 'int', 'leaf.ext');
    issue('rsa', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'], '/CN=localhost', 'int', 'leaf.ext');
    const read = (f) => readFileSync(join(dir, f), 'utf8');
    return {
      caPem: read('ca.pem'),
      intermediatePem: read('int.pem'),
      ecdsa: { certPem: read('ecdsa.pem'), keyPem: read('ecdsa.key') },
      rsa: { certPem: read('rsa.pem'), keyPem: read('rsa.key') },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
