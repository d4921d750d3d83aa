/**
 * Service identity (RFC 9525) and name-constraint matching, rule by rule: IP literal parsing checked
 * against the WHATWG URL parser, U-label conversion against node:url's domainToASCII, wildcard
 * rules, and each subtree form of RFC 5280 §4.2.1.10.
 */
import { domainToASCII } from 'node:url';
import { describe, expect, test } from 'vitest';
import { formatIp, parseIpLiteral } from '../src/index.js';
import { dnsIdMatches, normalizeDnsName } from '../src/identity.js';
import { nameMatchesConstraint } from '../src/name-constraints.js';
import { parseNameDer } from '../src/name.js';

describe('IP literals', () => {
  test.each(['::1', '2001:db8::1', '2001:db8:0:0:1:0:0:1', '::', '1::', 'fe80::1:2:3:4', '2001:DB8:85a3:0:0:8a2e:370:7334', '::ffff:1.2.3.4', '0:0:0:0:0:0:0:0', '1:2:3:4:5:6:7:8', '1:0:0:2:0:0:0:3'])(
    'IPv6 %s agrees with the WHATWG URL parser',
    (s) => {
      const bytes = parseIpLiteral(s);
      expect(bytes?.length).toBe(16);
      const whatwg = new URL(`http://[${s}]/`).hostname.slice(1, -1);
      expect(formatIp(bytes as Uint8Array)).toBe(whatwg);
      expect(parseIpLiteral(`[${s}]`)).toEqual(bytes);
    },
  );

  test('IPv4 dotted quads, strictly', () => {
    expect(parseIpLiteral('192.0.2.1')).toEqual(Uint8Array.of(192, 0, 2, 1));
    expect(parseIpLiteral('0.0.0.0')).toEqual(Uint8Array.of(0, 0, 0, 0));
    for (const bad of ['256.1.1.1', '01.2.3.4', '1.2.3', '1.2.3.4.5', '1.2.3.x', '0x7f.0.0.1']) expect(parseIpLiteral(bad)).toBeNull();
  });

  test('malformed IPv6 is not an IP literal', () => {
    for (const bad of ['1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', ':::', '1:2:3:4:5:6:7', 'g::1', '::1.2.3', '::1%eth0', '1:2:3:4:5:6:7::8:9']) {
      expect(parseIpLiteral(bad)).toBeNull();
    }
  });
});

describe('DNS reference identities', () => {
  test.each(['bücher.example', 'Bücher.Example', 'mañana.com', '例え.テスト', 'straße.de', 'ǅ.example'])('U-label %s converts like node:url', (name) => {
    expect(normalizeDnsName(name)).toBe(domainToASCII(name));
  });

  test('normalisation: case, one trailing dot, validity', () => {
    expect(normalizeDnsName('WWW.Example.COM.')).toBe('www.example.com');
    for (const bad of ['', '.', 'a..b', '-a.com', 'a-.com', 'a b.com', `${'a'.repeat(64)}.com`, 'exa*mple.com', 'a.com..']) expect(normalizeDnsName(bad)).toBeNull();
  });

  const table: [string, string, boolean][] = [
    ['example.com', 'example.com', true],
    ['EXAMPLE.com.', 'example.com', true],
    ['example.com', 'www.example.com', false],
    ['*.example.com', 'www.example.com', true],
    ['*.EXAMPLE.com', 'www.example.com', true],
    ['*.example.com', 'example.com', false],
    ['*.example.com', 'a.b.example.com', false],
    ['*.com', 'example.com', false],
    ['*', 'localhost', false],
    ['w*.example.com', 'www.example.com', false],
    ['*w.example.com', 'www.example.com', false],
    ['www.*.com', 'www.example.com', false],
    ['*.*.example.com', 'a.b.example.com', false],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example', true],
    ['*.xn--bcher-kva.example', 'www.xn--bcher-kva.example', true],
  ];
  test.each(table)('presented %s vs reference %s → %s', (presented, reference, expected) => {
    expect(dnsIdMatches(presented, reference)).toBe(expected);
  });
});

describe('name-constraint subtrees (RFC 5280 §4.2.1.10)', () => {
  const dns = (value: string) => ({ type: 'dns', value }) as const;
  const email = (value: string) => ({ type: 'email', value }) as const;
  const uri = (value: string) => ({ type: 'uri', value }) as const;
  const ip = (...b: number[]) => ({ type: 'ip', bytes: Uint8Array.from(b) }) as const;

  test('dNSName: the name and names with labels added on the left; a leading dot means subdomains only', () => {
    expect(nameMatchesConstraint(dns('example.com'), dns('example.com'), false)).toBe(true);
    expect(nameMatchesConstraint(dns('a.b.example.com'), dns('EXAMPLE.com'), false)).toBe(true);
    expect(nameMatchesConstraint(dns('badexample.com'), dns('example.com'), false)).toBe(false);
    expect(nameMatchesConstraint(dns('example.com'), dns('.example.com'), false)).toBe(false);
    expect(nameMatchesConstraint(dns('a.example.com'), dns('.example.com'), false)).toBe(true);
    expect(nameMatchesConstraint(dns('anything.org'), dns(''), false)).toBe(true);
  });

  test('an excluded subtree inside what a wildcard covers is a hit', () => {
    expect(nameMatchesConstraint(dns('*.example.com'), dns('secret.example.com'), true)).toBe(true);
    expect(nameMatchesConstraint(dns('*.example.com'), dns('secret.example.com'), false)).toBe(false);
    expect(nameMatchesConstraint(dns('*.example.com'), dns('a.secret.example.com'), true)).toBe(false);
  });

  test('a trailing dot on either side changes nothing (the identity check ignores it too)', () => {
    // *.example.com. matches secret.example.com as a host name: it must not slip past the exclusion.
    expect(nameMatchesConstraint(dns('*.example.com.'), dns('secret.example.com'), true)).toBe(true);
    expect(nameMatchesConstraint(dns('*.example.com'), dns('secret.example.com.'), true)).toBe(true);
    expect(nameMatchesConstraint(dns('secret.example.com'), dns('.example.com.'), true)).toBe(true);
    expect(nameMatchesConstraint(dns('a.example.com.'), dns('.example.com'), false)).toBe(true);
    expect(nameMatchesConstraint(dns('example.org.'), dns('example.com.'), false)).toBe(false);
  });

  test('iPAddress: address and mask, same family only', () => {
    const net10 = ip(10, 0, 0, 0, 255, 0, 0, 0);
    expect(nameMatchesConstraint(ip(10, 9, 8, 7), net10, false)).toBe(true);
    expect(nameMatchesConstraint(ip(11, 0, 0, 1), net10, false)).toBe(false);
    const v6 = ip(0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(12).fill(0), 0xff, 0xff, 0xff, 0xff, ...new Array<number>(12).fill(0));
    expect(nameMatchesConstraint(ip(0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 1), v6, false)).toBe(true);
    expect(nameMatchesConstraint(ip(10, 0, 0, 1), v6, false)).toBe(false);
  });

  test('iPAddress: an IPv4-mapped IPv6 address (::ffff:a.b.c.d) falls under IPv4 subtrees', () => {
    const net10 = ip(10, 0, 0, 0, 255, 0, 0, 0);
    const mapped = (a: number, b: number, c: number, d: number) => ip(...new Array<number>(10).fill(0), 0xff, 0xff, a, b, c, d);
    expect(nameMatchesConstraint(mapped(10, 0, 0, 1), net10, true)).toBe(true);
    expect(nameMatchesConstraint(mapped(11, 0, 0, 1), net10, true)).toBe(false);
    // Not mapped (::a.b.c.d, the deprecated compatible form, or another prefix): not IPv4.
    expect(nameMatchesConstraint(ip(...new Array<number>(12).fill(0), 10, 0, 0, 1), net10, true)).toBe(false);
  });

  test('rfc822Name: mailbox, host, or .domain', () => {
    expect(nameMatchesConstraint(email('joe@example.com'), email('joe@EXAMPLE.com'), false)).toBe(true);
    expect(nameMatchesConstraint(email('Joe@example.com'), email('joe@example.com'), false)).toBe(false);
    expect(nameMatchesConstraint(email('joe@example.com'), email('example.com'), false)).toBe(true);
    expect(nameMatchesConstraint(email('joe@mail.example.com'), email('example.com'), false)).toBe(false);
    expect(nameMatchesConstraint(email('joe@mail.example.com'), email('.example.com'), false)).toBe(true);
  });

  test('URI: on the host', () => {
    expect(nameMatchesConstraint(uri('https://user@Host.example.com:8443/p?q'), uri('host.example.com'), false)).toBe(true);
    expect(nameMatchesConstraint(uri('https://host.example.com/'), uri('.example.com'), false)).toBe(true);
    expect(nameMatchesConstraint(uri('urn:isbn:123'), uri('.example.com'), false)).toBe(false);
  });

  test('directoryName: RDN prefix, compared case-insensitively', () => {
    // O=Test, CN=Leaf  vs  O=test
    const enc = (s: string) => Array.from(new TextEncoder().encode(s));
    const atv = (oid: number, v: string) => [0x31, v.length + 9, 0x30, v.length + 7, 0x06, 0x03, 0x55, 0x04, oid, 0x0c, v.length, ...enc(v)];
    const name = (...rdns: number[][]) => {
      const body = rdns.flat();
      return parseNameDer(Uint8Array.from([0x30, body.length, ...body]), 'test name');
    };
    const leaf = name(atv(10, 'Test'), atv(3, 'Leaf'));
    expect(nameMatchesConstraint({ type: 'directory', name: leaf }, { type: 'directory', name: name(atv(10, 'test')) }, false)).toBe(true);
    expect(nameMatchesConstraint({ type: 'directory', name: leaf }, { type: 'directory', name: name(atv(10, 'Other')) }, false)).toBe(false);
    expect(nameMatchesConstraint({ type: 'directory', name: leaf }, { type: 'directory', name: name(atv(3, 'Leaf')) }, false)).toBe(false);
  });
});
