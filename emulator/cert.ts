/**
 * The emulator's TLS certificate: self-signed for 127.0.0.1 and localhost, generated at each start
 * so no private key is ever stored in the repository.
 */
import { generate } from 'selfsigned';

export interface TlsMaterial {
  /** PEM of the certificate, which clients trust as a CA (`tlsOptions.ca`, `NODE_EXTRA_CA_CERTS`). */
  cert: string;
  /** PEM of the private key, kept in memory only. */
  key: string;
}

/** Generates a P-256 certificate valid for 30 days. An EC key is faster to create than an RSA key. */
export async function generateCertificate(): Promise<TlsMaterial> {
  const now = new Date();
  const pems = await generate([{ name: 'commonName', value: 'kvdr-emulator' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + 30 * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}
