/**
 * The workload identity paths against the emulator, each driven by the real credential class:
 * Azure DevOps workload identity federation, GitHub's ID token exchanged as a client assertion, an
 * App Service managed identity, and a certificate assertion. Every token must open a vault.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { resolve } from 'node:path';
import {
  AzurePipelinesCredential,
  ClientAssertionCredential,
  ClientCertificateCredential,
  ManagedIdentityCredential,
  type TokenCredential,
} from '@azure/identity';
import { generate } from 'selfsigned';
import { startEmulator, type Emulator } from '../../../emulator/index';
import { createClientOptions, createSecretClient } from '../../helpers/emulator';
import { rawRequest } from './support';

const REPO_ROOT = resolve(__dirname, '..', '..', '..');
const VALUE = 'kvdr-identity-value-5e6f7a';
const VAULT = 'kv-identity';
const EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

/** Variables that select a managed identity source or a federated path; cleared around each test that sets its own. */
const IDENTITY_VARIABLES = [
  'SYSTEM_OIDCREQUESTURI',
  'IDENTITY_ENDPOINT',
  'IDENTITY_HEADER',
  'IDENTITY_SERVER_THUMBPRINT',
  'MSI_ENDPOINT',
  'MSI_SECRET',
  'IMDS_ENDPOINT',
  'AZURE_FEDERATED_TOKEN_FILE',
  'AZURE_POD_IDENTITY_AUTHORITY_HOST',
];

/** Runs `body` with `variables` set in process.env, restoring every identity variable afterwards. */
async function withEnv<T>(variables: Record<string, string>, body: () => Promise<T>): Promise<T> {
  const saved = new Map(IDENTITY_VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of IDENTITY_VARIABLES) delete process.env[name];
  Object.assign(process.env, variables);
  try {
    return await body();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

function decodeClaims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Calls `@actions/core`'s getIDToken in a child process, as a runner step does, with the emulator's CA trusted. */
function getIdTokenFromRunner(emulator: Emulator, audience: string): Promise<string> {
  const script = `import('@actions/core').then((core) => core.getIDToken(process.argv[1])).then((token) => console.log(JSON.stringify({ token })), (error) => { console.error(error.message); process.exit(1); });`;
  const env = {
    PATH: process.env.PATH,
    NODE_EXTRA_CA_CERTS: emulator.env.NODE_EXTRA_CA_CERTS,
    ACTIONS_ID_TOKEN_REQUEST_URL: emulator.identity.idTokenRequestUrl,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: emulator.identity.idTokenRequestToken,
  };
  return new Promise((resolvePromise, reject) => {
    execFile(process.execPath, ['-e', script, audience], { cwd: REPO_ROOT, env, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`getIDToken failed: ${stderr || error.message}`));
      const line = stdout.split('\n').find((entry) => entry.startsWith('{'));
      if (!line) return reject(new Error(`getIDToken printed no token: ${stdout}`));
      resolvePromise((JSON.parse(line) as { token: string }).token);
    });
  });
}

/** Sends a plain HTTP GET, as msal-node does to the managed identity endpoint. */
function httpGet(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolvePromise, reject) => {
    const request = httpRequest(url, { headers, agent: false }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      response.on('end', () => resolvePromise({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('emulator identity endpoints', () => {
  let emulator: Emulator;

  before(async () => {
    emulator = await startEmulator({ vaults: [VAULT] });
    emulator.admin.seed(VAULT, [{ name: 'identity-secret', value: VALUE }]);
  });

  after(async () => {
    await emulator?.close();
  });

  async function readWith(credential: TokenCredential): Promise<string | undefined> {
    return (await createSecretClient(emulator, VAULT, { credential }).getSecret('identity-secret')).value;
  }

  it('ready env names the identity endpoints', () => {
    assert.equal(emulator.env.SYSTEM_OIDCREQUESTURI, emulator.identity.oidcRequestUri);
    assert.equal(emulator.env.SYSTEM_ACCESSTOKEN, emulator.identity.systemAccessToken);
    assert.equal(emulator.env.ACTIONS_ID_TOKEN_REQUEST_URL, emulator.identity.idTokenRequestUrl);
    assert.equal(emulator.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN, emulator.identity.idTokenRequestToken);
    assert.equal(emulator.env.IDENTITY_ENDPOINT, emulator.identity.identityEndpoint);
    assert.equal(emulator.env.IDENTITY_HEADER, emulator.identity.identityHeader);
    assert.match(emulator.identity.oidcRequestUri, /^https:\/\/127\.0\.0\.1:\d+\/.+\/oidctoken$/);
    assert.match(emulator.identity.idTokenRequestUrl, /^https:\/\/127\.0\.0\.1:\d+\/.+\/idtoken\?api-version=2\.0$/);
    assert.match(emulator.identity.identityEndpoint, /^http:\/\/127\.0\.0\.1:\d+\/msi\/token$/);
  });

  it('AzurePipelinesCredential opens the vault', async () => {
    const { identity } = emulator;
    const value = await withEnv({ SYSTEM_OIDCREQUESTURI: identity.oidcRequestUri }, async () => {
      const credential = new AzurePipelinesCredential(
        emulator.tenantId,
        emulator.clientId,
        identity.serviceConnectionId,
        identity.systemAccessToken,
        createClientOptions(emulator).credentialOptions,
      );
      return readWith(credential);
    });
    assert.equal(value, VALUE);
  });

  it('Azure DevOps OIDC token looks like Azure DevOps', async () => {
    const { identity } = emulator;
    const url = `${identity.oidcRequestUri}?api-version=7.1&serviceConnectionId=${identity.serviceConnectionId}`;
    const response = await rawRequest(url, { ca: emulator.ca, method: 'POST', headers: { authorization: `Bearer ${identity.systemAccessToken}`, 'content-type': 'application/json' } });
    assert.equal(response.status, 200);
    const claims = decodeClaims(response.json<{ oidcToken: string }>().oidcToken);
    const state = identity.state.snapshot();
    assert.equal(claims.iss, `https://vstoken.dev.azure.com/${state.pipelines!.organizationId}`);
    assert.equal(claims.sub, `sc://kvdr-emulator/kvdr/kvdr-emulator`);
    assert.equal(claims.aud, EXCHANGE_AUDIENCE);
  });

  it('OIDC endpoint rejects a wrong access token', async () => {
    const { identity } = emulator;
    const url = `${identity.oidcRequestUri}?api-version=7.1&serviceConnectionId=${identity.serviceConnectionId}`;
    const response = await rawRequest(url, { ca: emulator.ca, method: 'POST', headers: { authorization: 'Bearer not-the-job-token' } });
    assert.equal(response.status, 401);
    const unknown = await rawRequest(`${identity.oidcRequestUri}?api-version=7.1&serviceConnectionId=unknown-id`, {
      ca: emulator.ca,
      method: 'POST',
      headers: { authorization: `Bearer ${identity.systemAccessToken}` },
    });
    assert.equal(unknown.status, 404);
    assert.match(unknown.json<{ message: string }>().message, /unknown-id/);
  });

  it('AzurePipelinesCredential fails on a wrong access token', async () => {
    const { identity } = emulator;
    await withEnv({ SYSTEM_OIDCREQUESTURI: identity.oidcRequestUri }, async () => {
      const credential = new AzurePipelinesCredential(emulator.tenantId, emulator.clientId, identity.serviceConnectionId, 'wrong-token', createClientOptions(emulator).credentialOptions);
      await assert.rejects(credential.getToken('https://vault.azure.net/.default'), (error: Error) => {
        assert.match(error.message, /401|TF400813/);
        return true;
      });
    });
  });

  it('untrusted service connection is rejected', async () => {
    const { identity } = emulator;
    const before = identity.state.snapshot();
    const untrustedId = '5a2b7c9d-1e3f-4a6b-8c0d-2e4f6a8b0c1d';
    identity.update({ pipelines: { serviceConnections: { ...before.pipelines!.serviceConnections, [untrustedId]: 'untrusted-connection' } } });
    try {
      await withEnv({ SYSTEM_OIDCREQUESTURI: identity.oidcRequestUri }, async () => {
        const credential = new AzurePipelinesCredential(emulator.tenantId, emulator.clientId, untrustedId, identity.systemAccessToken, createClientOptions(emulator).credentialOptions);
        await assert.rejects(credential.getToken('https://vault.azure.net/.default'), (error: Error) => {
          assert.match(error.message, /AADSTS70021/);
          assert.ok(error.message.includes("Assertion Subject: 'sc://kvdr-emulator/kvdr/untrusted-connection'"), error.message);
          assert.ok(error.message.includes(`Assertion Issuer: 'https://vstoken.dev.azure.com/${before.pipelines!.organizationId}'`), error.message);
          return true;
        });
      });
    } finally {
      identity.update({ pipelines: { serviceConnections: before.pipelines!.serviceConnections } });
    }
  });

  it('GitHub ID token opens the vault', async () => {
    const token = await getIdTokenFromRunner(emulator, EXCHANGE_AUDIENCE);
    const claims = decodeClaims(token);
    assert.equal(claims.iss, 'https://token.actions.githubusercontent.com');
    assert.equal(claims.sub, 'repo:kvdr-emulator/kvdr:ref:refs/heads/main');
    assert.equal(claims.aud, EXCHANGE_AUDIENCE);
    assert.equal(claims.repository, 'kvdr-emulator/kvdr');

    const credential = new ClientAssertionCredential(emulator.tenantId, emulator.clientId, async () => token, createClientOptions(emulator).credentialOptions);
    assert.equal(await readWith(credential), VALUE);
  });

  it('ID-token endpoint rejects a wrong request token', async () => {
    const response = await rawRequest(`${emulator.identity.idTokenRequestUrl}&audience=${encodeURIComponent(EXCHANGE_AUDIENCE)}`, {
      ca: emulator.ca,
      headers: { authorization: 'Bearer wrong' },
    });
    assert.equal(response.status, 401);
  });

  it('rejected exchange names subject and issuer', async () => {
    const subject = 'repo:kvdr-emulator/kvdr:environment:production';
    const original = emulator.identity.state.githubSubject;
    emulator.identity.update({ github: { subject } });
    try {
      const response = await rawRequest(`${emulator.identity.idTokenRequestUrl}&audience=${encodeURIComponent(EXCHANGE_AUDIENCE)}`, {
        ca: emulator.ca,
        headers: { authorization: `Bearer ${emulator.identity.idTokenRequestToken}` },
      });
      const token = response.json<{ value: string }>().value;
      const credential = new ClientAssertionCredential(emulator.tenantId, emulator.clientId, async () => token, createClientOptions(emulator).credentialOptions);
      await assert.rejects(credential.getToken('https://vault.azure.net/.default'), (error: Error) => {
        assert.match(error.message, /AADSTS70021/);
        assert.ok(error.message.includes(`Assertion Subject: '${subject}'`), error.message);
        assert.ok(error.message.includes(`Assertion Issuer: 'https://token.actions.githubusercontent.com'`), error.message);
        assert.ok(!error.message.includes(token), 'the message never shows the token');
        return true;
      });
    } finally {
      emulator.identity.update({ github: { subject: original } });
    }
  });

  it('federated credential can be added', async () => {
    const subject = 'repo:kvdr-emulator/kvdr:environment:staging';
    const before = emulator.identity.state.snapshot();
    emulator.identity.update({
      github: { subject },
      federatedCredentials: [...before.federatedCredentials!, { clientId: emulator.clientId, issuer: 'https://token.actions.githubusercontent.com', subject }],
    });
    try {
      const token = await getIdTokenFromRunner(emulator, EXCHANGE_AUDIENCE);
      const credential = new ClientAssertionCredential(emulator.tenantId, emulator.clientId, async () => token, createClientOptions(emulator).credentialOptions);
      assert.equal(await readWith(credential), VALUE);
    } finally {
      emulator.identity.update({ github: before.github, federatedCredentials: before.federatedCredentials });
    }
  });

  it('wrong audience is rejected', async () => {
    const response = await rawRequest(`${emulator.identity.idTokenRequestUrl}&audience=${encodeURIComponent('api://other')}`, {
      ca: emulator.ca,
      headers: { authorization: `Bearer ${emulator.identity.idTokenRequestToken}` },
    });
    const token = response.json<{ value: string }>().value;
    const credential = new ClientAssertionCredential(emulator.tenantId, emulator.clientId, async () => token, createClientOptions(emulator).credentialOptions);
    await assert.rejects(credential.getToken('https://vault.azure.net/.default'), /AADSTS70021.*Assertion Audience: 'api:\/\/other'/s);
  });

  it('ManagedIdentityCredential opens the vault', async () => {
    // NOTE: msal-node keeps the first managed identity source (with its endpoint) for the whole
    // process, so every managed identity test in a process must use this one emulator.
    const { identity } = emulator;
    const value = await withEnv({ IDENTITY_ENDPOINT: identity.identityEndpoint, IDENTITY_HEADER: identity.identityHeader }, async () => {
      const credential = new ManagedIdentityCredential({ clientId: identity.managedIdentityClientId });
      const token = await credential.getToken('https://vault.azure.net/.default');
      assert.equal(decodeClaims(token.token).appid, identity.managedIdentityClientId);
      return readWith(credential);
    });
    assert.equal(value, VALUE);
  });

  it('system-assigned identity needs no client id', async () => {
    const { identity } = emulator;
    const token = await withEnv({ IDENTITY_ENDPOINT: identity.identityEndpoint, IDENTITY_HEADER: identity.identityHeader }, () =>
      new ManagedIdentityCredential().getToken('https://vault.azure.net/.default'),
    );
    assert.equal(decodeClaims(token.token).appid, identity.managedIdentityClientId);
  });

  it('managed identity endpoint checks its header', async () => {
    const { identity } = emulator;
    const query = `?api-version=2019-08-01&resource=${encodeURIComponent('https://vault.azure.net')}`;
    const wrong = await httpGet(`${identity.identityEndpoint}${query}`, { 'X-IDENTITY-HEADER': 'wrong' });
    assert.equal(wrong.status, 401);
    const otherIdentity = await httpGet(`${identity.identityEndpoint}${query}&client_id=00000000-0000-4000-8000-000000000009`, { 'X-IDENTITY-HEADER': identity.identityHeader });
    assert.equal(otherIdentity.status, 400);
    const ok = await httpGet(`${identity.identityEndpoint}${query}`, { 'X-IDENTITY-HEADER': identity.identityHeader });
    assert.equal(ok.status, 200);
    const body = JSON.parse(ok.body) as Record<string, string>;
    assert.deepEqual(Object.keys(body).sort(), ['access_token', 'client_id', 'expires_on', 'resource', 'token_type']);
    assert.match(body.expires_on, /^\d+$/);
    assert.equal(body.resource, 'https://vault.azure.net');
  });

  it('certificate assertion opens the vault', async () => {
    const pems = await generate([{ name: 'commonName', value: 'kvdr-identity-test' }], { keyType: 'rsa', keySize: 2048, algorithm: 'sha256' });
    const clientId = '7d1f3a52-3c1e-4b8e-9a44-0d5c1f6e2b90';
    emulator.identity.update({ clientCertificates: { [clientId]: pems.cert } });
    const credential = new ClientCertificateCredential(emulator.tenantId, clientId, { certificate: `${pems.private}\n${pems.cert}` }, createClientOptions(emulator).credentialOptions);
    assert.equal(await readWith(credential), VALUE);

    const other = await generate([{ name: 'commonName', value: 'kvdr-identity-other' }], { keyType: 'rsa', keySize: 2048, algorithm: 'sha256' });
    const impostor = new ClientCertificateCredential(emulator.tenantId, clientId, { certificate: `${other.private}\n${other.cert}` }, createClientOptions(emulator).credentialOptions);
    await assert.rejects(impostor.getToken('https://vault.azure.net/.default'), /AADSTS700027/);
  });

  it('admin API updates identity settings', async () => {
    const current = await rawRequest(`${emulator.adminUrl}identity`, { ca: emulator.ca });
    assert.equal(current.status, 200);
    assert.equal(current.json<{ managedIdentity: { clientId: string } }>().managedIdentity.clientId, emulator.identity.managedIdentityClientId);

    const invalid = await rawRequest(`${emulator.adminUrl}identity`, { ca: emulator.ca, method: 'PATCH', body: JSON.stringify({ github: { repository: 'no-slash' } }) });
    assert.equal(invalid.status, 400);
    assert.match(invalid.json<{ error: { message: string } }>().error.message, /no-slash.*owner\/name/);

    const token = 'kvdr-admin-set-access-token';
    const changed = await rawRequest(`${emulator.adminUrl}identity`, { ca: emulator.ca, method: 'PATCH', body: JSON.stringify({ pipelines: { systemAccessToken: token } }) });
    assert.equal(changed.status, 200);
    assert.equal(emulator.identity.systemAccessToken, token);
  });

  it('secret value appears in no identity answer', async () => {
    const answers = [
      await rawRequest(`${emulator.adminUrl}identity`, { ca: emulator.ca }),
      await rawRequest(`${emulator.identity.idTokenRequestUrl}`, { ca: emulator.ca, headers: { authorization: `Bearer ${emulator.identity.idTokenRequestToken}` } }),
    ];
    for (const answer of answers) assert.ok(!answer.body.includes(VALUE));
  });
});
