import assert from 'node:assert/strict';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { GuardedCredential, decodeAssertionClaims, identityHostOptions } from '../../../src/hosts/credentials/common';
import { resolveAuthMode } from '../../../src/hosts/credentials/github';
import { isEngineError } from '../../../src/core/errors';

function jwt(claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'RS256' })}.${encode(claims)}.c2lnbmF0dXJl`;
}

const assertion = jwt({ iss: 'https://token.actions.githubusercontent.com', sub: 'repo:contoso/app:ref:refs/heads/main', aud: 'api://AzureADTokenExchange' });

describe('credentials', () => {
  it('decodes issuer, subject and audience', () => {
    assert.deepEqual(decodeAssertionClaims(assertion), {
      issuer: 'https://token.actions.githubusercontent.com',
      subject: 'repo:contoso/app:ref:refs/heads/main',
      audience: 'api://AzureADTokenExchange',
    });
    assert.equal(decodeAssertionClaims('not-a-jwt'), undefined);
  });

  it('masks every issued token', async () => {
    const masked: string[] = [];
    const inner: TokenCredential = { getToken: async () => ({ token: 'SEEDTOKEN-1', expiresOnTimestamp: Date.now() + 60_000 }) as AccessToken };
    const credential = new GuardedCredential(inner, { setSecret: (value) => masked.push(value), description: { method: 'a test', remedy: 'Fix it.' } });
    const token = await credential.getToken('https://vault.azure.net/.default');
    assert.equal(token.token, 'SEEDTOKEN-1');
    assert.deepEqual(masked, ['SEEDTOKEN-1']);
  });

  it('names the presented subject on a rejected exchange', async () => {
    const inner: TokenCredential = {
      getToken: async () => {
        throw new Error('AADSTS70021: No matching federated identity record found for presented assertion.\nTrace ID: 1');
      },
    };
    const credential = new GuardedCredential(inner, {
      setSecret: () => undefined,
      lastAssertionClaims: () => decodeAssertionClaims(assertion),
      description: { method: 'OpenID Connect', clientId: 'client-1', tenantId: 'tenant-1', remedy: 'Add a federated credential.' },
    });
    await assert.rejects(credential.getToken('scope'), (error: unknown) => {
      assert.ok(isEngineError(error));
      assert.equal(error.code, 'unauthorized');
      assert.match(error.message, /OpenID Connect \(client client-1, tenant tenant-1\) failed: AADSTS70021/);
      assert.match(error.message, /subject "repo:contoso\/app:ref:refs\/heads\/main"/);
      assert.match(error.message, /issuer "https:\/\/token.actions.githubusercontent.com"/);
      assert.ok(!error.message.includes(assertion), 'the token itself is never printed');
      assert.ok(!error.message.includes('\n'));
      return true;
    });
  });

  it('resolves authMode auto', () => {
    const ids = { clientId: 'c', tenantId: 't' };
    assert.equal(resolveAuthMode({ authMode: 'auto', ...ids, env: { ACTIONS_ID_TOKEN_REQUEST_URL: 'https://127.0.0.1/' } }), 'oidc');
    assert.equal(resolveAuthMode({ authMode: 'auto', env: { ACTIONS_ID_TOKEN_REQUEST_URL: 'https://127.0.0.1/' } }), 'azure-cli');
    assert.equal(resolveAuthMode({ authMode: 'auto', env: { AZURE_TENANT_ID: 't', AZURE_CLIENT_ID: 'c', AZURE_CLIENT_SECRET: 's' } }), 'environment');
    assert.equal(resolveAuthMode({ authMode: 'AZURE-CLI', ...ids, env: {} }), 'azure-cli');
    assert.throws(() => resolveAuthMode({ authMode: 'password', env: {} }), /"authMode": "password". Use one of: auto, oidc, azure-cli, environment/);
  });

  it('honours the authority host only for custom hosts', () => {
    assert.deepEqual(identityHostOptions({ AZURE_AUTHORITY_HOST: 'https://127.0.0.1:1/' }), {});
    assert.deepEqual(identityHostOptions({ KVDR_ALLOW_CUSTOM_HOSTS: '1', AZURE_AUTHORITY_HOST: 'https://127.0.0.1:1/' }), {
      disableInstanceDiscovery: true,
      authorityHost: 'https://127.0.0.1:1/',
    });
    assert.deepEqual(identityHostOptions({}, 'https://login.microsoftonline.us/'), { authorityHost: 'https://login.microsoftonline.us/' });
  });
});
