import { createNodeProvider } from '@puretls/node/provider';
import { engineConfigs, engineHandshake } from './engine.mjs';
import { makePki } from './pki.mjs';
const pki = makePki('ec-p256');
const cfg = engineConfigs(createNodeProvider(), pki);
const N = 3000; const t = performance.now();
for (let i = 0; i < N; i++) await engineHandshake(cfg);
console.log((N / ((performance.now() - t) / 1000)).toFixed(1), '/s');
