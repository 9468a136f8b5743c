/**
 * Authentication as Key Vault does it: a 401 challenge before the body is read, tokens from the
 * emulator's own token endpoint, and 401 for anything else.
 */
import { strict as assert } from 'node:assert';
import { connect } from 'node:tls';
import { ClientSecretCredential, type TokenCredential } from '@azure/identity';
import { startEmulator, type Emulator } from '../../../emulator/index';
import { createClientOptions, createCredential, createSecretClient } from '../../helpers/emulator';
import { SpecValidator, rawRequest } from './support';

const VALUE = 'kvdr-auth-value-0a1b2c';
const API = 'api-version=2025-07-01';

describe('emulator authentication', () => {
  let emulator: Emulator;
  let foreign: Emulator;
  const validator = SpecValidator.load();

  before(async () => {
    emulator = await startEmulator({ vaults: ['kv-auth'] });
    foreign = await startEmulator({ vaults: ['kv-foreign'] });
    emulator.admin.seed('kv-auth', [{ name: 'auth-secret', value: VALUE }]);
  });

  after(async () => {
    await emulator.close();
    await foreign.close();
  });

  it('challenge names the authority and resource', async () => {
    const response = await rawRequest(`${emulator.vaults['kv-auth']}secrets/auth-secret?${API}`, { ca: emulator.ca });
    assert.equal(response.status, 401);
    assert.equal(
      response.headers['www-authenticate'],
      `Bearer authorization="${emulator.authorityHost}${emulator.tenantId}", resource="https://vault.azure.net"`,
    );
    assert.equal(response.json<{ error: { code: string } }>().error.code, 'Unauthorized');
    validator?.validate('KeyVaultError', response.json(), '401 challenge');
  });

  it('challenge comes before the body is read', async () => {
    const url = new URL(emulator.vaults['kv-auth']);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: url.hostname, port: Number(url.port), ca: emulator.ca }, () => {
        // Announces a 10,000-byte body and sends none of it, so the response must not wait for the body.
        socket.write(`PUT /secrets/auth-body?${API} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n`);
      });
      let received = '';
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString('utf8');
        if (received.includes('\r\n\r\n')) {
          socket.destroy();
          resolve(received);
        }
      });
      socket.on('error', reject);
      setTimeout(() => reject(new Error('no answer before the body was sent')), 10_000).unref();
    });
    assert.match(answer, /^HTTP\/1\.1 401/);
    assert.equal(emulator.admin.versionCount('kv-auth', 'auth-body'), 0);
  });

  it('SDK completes the challenge with a real credential', async () => {
    emulator.admin.resetStats('kv-auth');
    const client = createSecretClient(emulator, 'kv-auth');
    assert.equal((await client.getSecret('auth-secret')).value, VALUE);
    assert.equal((await client.getSecret('auth-secret')).value, VALUE);
    const stats = emulator.admin.stats('kv-auth');
    assert.equal(stats.byOperation.challenge, 1, 'one challenge per client');
    assert.equal(stats.byOperation.getSecret, 2);
    assert.equal(stats.total, 3);
  });

  it('token from another emulator is rejected', async () => {
    const foreignToken = await createCredential(foreign).getToken('https://vault.azure.net/.default');
    const response = await rawRequest(`${emulator.vaults['kv-auth']}secrets/auth-secret?${API}`, {
      ca: emulator.ca,
      headers: { authorization: `Bearer ${foreignToken!.token}` },
    });
    assert.equal(response.status, 401);
    assert.ok(response.headers['www-authenticate']);
    assert.ok(!response.body.includes(VALUE));
  });

  it('SDK with a foreign token fails with 401', async () => {
    // A real token from the other emulator's token endpoint, handed to the SDK as is.
    const foreignCredential = createCredential(foreign);
    const credential: TokenCredential = { getToken: (scopes) => foreignCredential.getToken(scopes) };
    const client = createSecretClient(emulator, 'kv-auth', { credential });
    await assert.rejects(client.getSecret('auth-secret'), (error: { statusCode?: number }) => error.statusCode === 401);
  });

  it('malformed and wrong-audience tokens are rejected', async () => {
    const armToken = await createCredential(emulator).getToken('https://management.azure.com/.default');
    for (const authorization of ['Bearer not-a-token', 'Basic dXNlcjpwYXNz', `Bearer ${armToken!.token}`]) {
      const response = await rawRequest(`${emulator.vaults['kv-auth']}secrets/auth-secret?${API}`, {
        ca: emulator.ca,
        headers: { authorization },
      });
      assert.equal(response.status, 401, authorization.slice(0, 12));
    }
  });

  it('token endpoint rejects a wrong client secret', async () => {
    const credential = new ClientSecretCredential(emulator.tenantId, emulator.clientId, 'wrong-secret', createClientOptions(emulator).credentialOptions);
    await assert.rejects(credential.getToken('https://vault.azure.net/.default'), (error: Error) => {
      assert.match(error.message, /AADSTS7000215/);
      assert.ok(!error.message.includes(emulator.clientSecret), 'the message never shows the real secret');
      return true;
    });
  });

  it('token endpoint rejects an unknown client', async () => {
    const credential = new ClientSecretCredential(emulator.tenantId, '00000000-0000-4000-8000-000000000000', 'x', createClientOptions(emulator).credentialOptions);
    await assert.rejects(credential.getToken('https://vault.azure.net/.default'), /AADSTS700016/);
  });

  it('OpenID configuration names the token endpoint', async () => {
    const response = await rawRequest(`${emulator.authorityHost}${emulator.tenantId}/v2.0/.well-known/openid-configuration`, { ca: emulator.ca });
    assert.equal(response.status, 200);
    const configuration = response.json<{ token_endpoint: string; issuer: string }>();
    assert.equal(configuration.token_endpoint, `${emulator.authorityHost}${emulator.tenantId}/oauth2/v2.0/token`);
    assert.equal(configuration.issuer, `${emulator.authorityHost}${emulator.tenantId}/v2.0`);
  });
});
