export interface TestLeaf {
  /** The leaf certificate alone (PEM); the chain is leaf + intermediatePem. */
  readonly certPem: string;
  /** PKCS#8 PEM ("PRIVATE KEY"). */
  readonly keyPem: string;
}
export interface TestPki {
  readonly caPem: string;
  readonly intermediatePem: string;
  readonly ecdsa: TestLeaf;
  readonly rsa: TestLeaf;
}
export function makeTestPki(): TestPki;
