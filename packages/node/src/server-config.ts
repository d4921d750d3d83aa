/**
 * The engine's server config for the node:tls-shaped server options. A `Server` hands every accepted
 * socket the same options object (marked with `shareServerConfig`), so its connections share one
 * immutable config, as the engine intends; what differs per connection (the client-certificate
 * verifier that records `authorized`, the key log that emits `'keylog'`) is given to the connection.
 * `SNICallback` becomes the engine's asynchronous certificate resolver.
 */
import { serverConfig, TlsError, type ServerCertificate, type ServerConfig, type ServerConfigOptions, type Signer } from '@puretls/tls';
import { commonConfig, resolveProvider, type TLSSocketOptions } from './options.js';
import { SecureContext } from './secure-context.js';
import { policyVerifier } from './trust.js';

const shared = new WeakMap<TLSSocketOptions, ServerConfig | null>();

/** Marks `options` (not to be changed afterwards) as shared by many sockets: they get one config. */
export function shareServerConfig(options: TLSSocketOptions): TLSSocketOptions {
  shared.set(options, null);
  return options;
}

function certificatesOf(main: SecureContext, o: TLSSocketOptions): ServerCertificate[] {
  const provider = resolveProvider(o.provider);
  const list: ServerCertificate[] = [];
  const mainSigner = main.signer(provider);
  if (main.chain !== undefined && mainSigner !== undefined) list.push({ chain: main.chain, key: mainSigner as Signer });
  for (const extra of o.certificates ?? []) {
    const signer = extra.context.signer(provider);
    if (extra.context.chain === undefined || signer === undefined) throw new TypeError('options.certificates: each context needs cert and key');
    list.push({ chain: extra.context.chain, key: signer as Signer, serverNames: extra.serverNames });
  }
  return list;
}

function build(o: TLSSocketOptions, ctx: SecureContext): ServerConfig {
  const certificates = certificatesOf(ctx, o);
  const sni = o.SNICallback;
  if (certificates.length === 0 && sni === undefined) throw new TypeError('a server needs options.cert and options.key (or a secureContext with them)');
  const rejectUnauthorized = o.rejectUnauthorized !== false;
  const clientAuth = o.clientAuth ?? (o.requestCert === true ? (rejectUnauthorized ? 'required' : 'optional') : 'none');
  const common = commonConfig(o);
  const options: ServerConfigOptions = {
    ...common,
    certificates,
    // node calls SNICallback only for a ClientHello with a server name; no context means the default.
    // A callback that throws, or answers with something that is not one of our contexts (node's own
    // tls.createSecureContext), fails this handshake: nothing is thrown into the caller's code.
    ...(sni === undefined
      ? {}
      : {
          certificateResolver: ({ serverName }: { readonly serverName: string | null }) =>
            serverName === null
              ? undefined
              : new Promise<readonly ServerCertificate[] | undefined>((resolve, reject) => {
                  sni(serverName, (err, chosen) => {
                    if (err) reject(err);
                    else if (chosen === undefined || chosen === null) resolve(undefined);
                    else if (!(chosen instanceof SecureContext) || chosen.chain === undefined || chosen.key === undefined) {
                      reject(new TlsError('INVALID_SNI_CONTEXT', 'internal_error', 'Invalid SNI context: SNICallback must answer with a SecureContext from createSecureContext() with cert and key'));
                    } else {
                      try {
                        resolve(certificatesOf(chosen, o));
                      } catch (e) {
                        reject(e);
                      }
                    }
                  });
                }),
        }),
    clientAuth,
    // Each connection brings its own verifier (it records `authorized`); this one only satisfies the config.
    ...(clientAuth === 'none' ? {} : { clientVerifier: policyVerifier({ store: ctx.trust, provider: common.provider, rejectUnauthorized }, { authorized: false, authorizationError: undefined }) }),
    ...(o.ticketSealer === undefined ? {} : { ticketSealer: o.ticketSealer }),
    ...(o.ticketSealer === undefined || o.ticketsPerHandshake === undefined ? {} : { ticketsPerHandshake: o.ticketsPerHandshake }),
    ...(o.maxEarlyData === undefined ? {} : { maxEarlyDataSize: o.maxEarlyData }),
    // One replay filter per server, not per connection (RFC 8446 §8).
    ...(o.antiReplay === undefined ? {} : { antiReplay: o.antiReplay }),
  };
  return serverConfig(options);
}

/** The config for a server socket with options `o` and secure context `ctx` (shared when `o` is). */
export function serverConfigFor(o: TLSSocketOptions, ctx: SecureContext): ServerConfig {
  if (!shared.has(o)) return build(o, ctx);
  let cfg = shared.get(o) ?? null;
  if (cfg === null) {
    cfg = build(o, ctx);
    shared.set(o, cfg);
  }
  return cfg;
}
