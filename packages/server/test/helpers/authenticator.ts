/**
 * A software WebAuthn authenticator for domain tests (WebAuthn Level 3 §6): an ES256 key pair
 * from node:crypto, authenticator data built by hand, a 'none' attestation in CBOR
 * (@levischuck/tiny-cbor, which @simplewebauthn/server itself uses), and the JSON a browser's
 * PublicKeyCredential.toJSON() would send. Each call may be bent to test a rule: another origin,
 * another RP ID, a counter of one's choosing, flags without user verification.
 */
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { encodeCBOR } from '@levischuck/tiny-cbor';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_BE = 0x08;
const FLAG_BS = 0x10;
const FLAG_AT = 0x40;

const b64u = (b: Uint8Array): string => Buffer.from(b).toString('base64url');
const sha256 = (b: Uint8Array | string): Buffer => createHash('sha256').update(b).digest();

export interface Bend {
  origin?: string;
  rpId?: string;
  /** The signature counter to report (default: one more than the last). */
  counter?: number;
  userVerified?: boolean;
  /** The challenge to sign instead of the options' one. */
  challenge?: string;
  /** The user handle to return instead of the credential's. */
  userHandle?: string | null;
}

export class SoftAuthenticator {
  readonly credentialId = randomBytes(16);
  private readonly keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  private counter = 0;
  /** The user handle the relying party gave at registration (discoverable credentials keep it). */
  userHandle: string | undefined;

  constructor(
    readonly origin: string,
    readonly rpId: string,
    /** Counting authenticators start at 1; passkey providers often keep 0 for ever. */
    private readonly counting = true,
  ) {}

  get id(): string {
    return b64u(this.credentialId);
  }

  /** The COSE_Key of the public key (RFC 9053 §7.1.1, WebAuthn §6.5.1.1): EC2, ES256, P-256. */
  private coseKey(): Uint8Array {
    const jwk = this.keys.publicKey.export({ format: 'jwk' });
    return encodeCBOR(new Map<number, number | Uint8Array>([
      [1, 2], [3, -7], [-1, 1],
      [-2, new Uint8Array(Buffer.from(jwk.x ?? '', 'base64url'))],
      [-3, new Uint8Array(Buffer.from(jwk.y ?? '', 'base64url'))],
    ]));
  }

  /** Authenticator data (WebAuthn §6.1): rpIdHash, flags, signCount, and the credential when attesting. */
  private authData(bend: Bend, attested: boolean): Buffer {
    const counter = bend.counter ?? (this.counting ? ++this.counter : 0);
    const flags = FLAG_UP | (bend.userVerified === false ? 0 : FLAG_UV) | FLAG_BE | FLAG_BS | (attested ? FLAG_AT : 0);
    const count = Buffer.alloc(4);
    count.writeUInt32BE(counter);
    const parts = [sha256(bend.rpId ?? this.rpId), Buffer.from([flags]), count];
    if (attested) {
      const idLength = Buffer.alloc(2);
      idLength.writeUInt16BE(this.credentialId.length);
      parts.push(Buffer.alloc(16), idLength, this.credentialId, Buffer.from(this.coseKey()));
    }
    return Buffer.concat(parts);
  }

  private clientData(type: string, challenge: string, bend: Bend): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge: bend.challenge ?? challenge, origin: bend.origin ?? this.origin, crossOrigin: false }));
  }

  /** navigator.credentials.create() with a 'none' attestation (WebAuthn §8.7). */
  create(options: { challenge: string; user: { id: string } }, bend: Bend = {}): RegistrationResponseJSON {
    this.userHandle = options.user.id;
    const attestationObject = encodeCBOR(new Map<string, string | Uint8Array | Map<string, string>>([
      ['fmt', 'none'], ['attStmt', new Map()], ['authData', new Uint8Array(this.authData(bend, true))],
    ]));
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      clientExtensionResults: {},
      response: {
        clientDataJSON: b64u(this.clientData('webauthn.create', options.challenge, bend)),
        attestationObject: b64u(attestationObject),
        transports: ['internal', 'hybrid'],
      },
    };
  }

  /** navigator.credentials.get(): an ES256 signature over authenticatorData ‖ SHA-256(clientDataJSON) (WebAuthn §6.3.3). */
  get(options: { challenge: string }, bend: Bend = {}): AuthenticationResponseJSON {
    const authenticatorData = this.authData(bend, false);
    const clientDataJSON = this.clientData('webauthn.get', options.challenge, bend);
    const signature = sign('sha256', Buffer.concat([authenticatorData, sha256(clientDataJSON)]), this.keys.privateKey);
    const userHandle = bend.userHandle === undefined ? this.userHandle : bend.userHandle ?? undefined;
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      clientExtensionResults: {},
      response: {
        clientDataJSON: b64u(clientDataJSON),
        authenticatorData: b64u(authenticatorData),
        signature: b64u(signature),
        ...(userHandle === undefined ? {} : { userHandle }),
      },
    };
  }
}
