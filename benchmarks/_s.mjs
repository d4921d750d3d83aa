import * as c from 'node:crypto';
import { createNodeProvider } from '@puretls/node/provider';
import { makePki } from './pki.mjs';
import { parsePkcs8, signatureAlgorithmOf } from '@puretls/crypto';
const b = (f,n,ms=500) => { for(let i=0;i<300;i++) f(); const t=performance.now(); let k=0; while(performance.now()-t<ms){f();k++;} console.log(n.padEnd(30), ((performance.now()-t)*1000/k).toFixed(1),'us'); };
const pki = makePki('ec-p256');
const p = createNodeProvider();
const key = c.createPrivateKey(pki.server.key);
const msg = c.randomBytes(130);
const pk = parsePkcs8(pki.server.keyDer);
const alg = signatureAlgorithmOf('ecdsa_secp256r1_sha256');
for (let r=0;r<2;r++){
b(()=>c.sign('sha256', msg, {key, dsaEncoding:'ieee-p1363'}), 'raw sign p1363');
b(()=>c.sign('sha256', msg, {key, dsaEncoding:'der'}), 'raw sign der');
b(()=>p.sign(alg, pk, msg), 'provider sign');
}
