/**
 * The engine pieces @puretls/dtls drives directly: the handshake states behind their io seams, the
 * message codecs, the key schedule and the error model. Not a stable API for applications.
 */
export { ExpectServerHello } from './client/expect-server-hello.js';
export { newKeyPair, sendClientHello, type ClientIo, type Shared as ClientShared } from './client/shared.js';
export { earlyKeys, type EarlyKeys } from './client/early-data.js';
export { ExpectClientHello } from './server/expect-client-hello.js';
export type { ServerIo, Shared as ServerShared } from './server/shared.js';
export { Transcript } from './key-schedule/transcript.js';
export { copyBytes } from './bytes.js';
export { Fifo } from './fifo.js';
export { exportKeyingMaterial, nextTrafficSecret, resumptionPsk, type KeyScheduleContext } from './key-schedule/secrets.js';
export { trafficKeys, type TrafficKeys } from './key-schedule/traffic.js';
export { encodeHandshake, parseHandshake, type HandshakeMessage, type RawHandshake } from './messages/handshake.js';
export { encode, findExtension, parseBody, type Extension } from './messages/extensions.js';
export { fail, toTlsError } from './errors.js';
export { Wait, waitForProvider, type State, type Step } from './state.js';
export { DTLS13_VARIANT, TLS13_VARIANT, variantOf, type ProtocolVariant } from './variant.js';
export { AlertLevel, alertName, HandshakeType, handshakeTypeName } from './constants.js';
export { CipherSuite, cipherSuiteByCode } from './suites.js';
export { issueTickets, ticketFrom, MAX_TICKET_LIFETIME } from './ticket-messages.js';
export { sessionUsable } from './tickets.js';
