import assert from 'node:assert/strict';

import { createHttpHeaders, createPipelineRequest, RestError } from '@azure/core-rest-pipeline';

import { classifyError, classifyResponse, clientAddressOf } from '../../../src/core/vault/classify';
import { CallTimeoutError } from '../../../src/core/vault/retry-policy';
import { createAbortError } from '../../../src/core/vault/wait';

const vaultUrl = 'https://kv-app-weu.vault.azure.net/';
const SECRET_VALUE = 'never-shown-8c1d';

/** Builds the RestError the SDK throws for an HTTP error, with Key Vault's body on the response. */
function httpError(statusCode: number, code: string, innerCode?: string, message = 'Denied.'): RestError {
  const request = createPipelineRequest({ url: `${vaultUrl}secrets/db-password`, method: 'GET' });
  const body = { error: { code, message, ...(innerCode === undefined ? {} : { innererror: { code: innerCode } }) } };
  const response = {
    status: statusCode,
    headers: createHttpHeaders({ 'x-ms-request-id': 'req-123' }),
    request,
    bodyAsText: JSON.stringify(body),
  };
  return new RestError(message, { statusCode, code, request, response });
}

function networkError(code: string, message = `connect ${code} 127.0.0.1:1`): RestError {
  return new RestError(message, { code, request: createPipelineRequest({ url: vaultUrl }) });
}

const context = { vaultUrl, operation: 'getSecret' as const, secretName: 'db-password' };

describe('classifyError', () => {
  const table: Array<[string, unknown, string]> = [
    ['404 SecretNotFound', httpError(404, 'SecretNotFound'), 'not-found'],
    ['403 SecretDisabled', httpError(403, 'Forbidden', 'SecretDisabled'), 'disabled'],
    ['403 ForbiddenByRbac', httpError(403, 'Forbidden', 'ForbiddenByRbac'), 'forbidden-by-rbac'],
    ['403 AccessDenied', httpError(403, 'Forbidden', 'AccessDenied'), 'forbidden-by-rbac'],
    ['403 ForbiddenByFirewall', httpError(403, 'Forbidden', 'ForbiddenByFirewall', 'Client address: 203.0.113.7'), 'forbidden-by-firewall'],
    ['403 ForbiddenByPolicy', httpError(403, 'Forbidden', 'ForbiddenByPolicy'), 'forbidden-by-policy'],
    ['403 purge protection', httpError(403, 'Forbidden', undefined, 'purge protection is enabled'), 'forbidden-by-policy'],
    ['403 bare', httpError(403, 'Forbidden'), 'forbidden-by-rbac'],
    ['401 Unauthorized', httpError(401, 'Unauthorized'), 'unauthorized'],
    ['409 ObjectIsDeletedButRecoverable', httpError(409, 'Conflict', 'ObjectIsDeletedButRecoverable'), 'deleted-but-recoverable'],
    ['409 ObjectIsBeingDeleted', httpError(409, 'Conflict', 'ObjectIsBeingDeleted'), 'being-deleted'],
    ['409 ObjectIsBeingRecovered', httpError(409, 'Conflict', 'ObjectIsBeingRecovered'), 'being-recovered'],
    ['409 other', httpError(409, 'Conflict'), 'conflict'],
    ['429 Throttled', httpError(429, 'Throttled'), 'throttled'],
    ['500', httpError(500, 'InternalServerError'), 'unavailable'],
    ['503', httpError(503, 'ServiceUnavailable'), 'unavailable'],
    ['400 BadParameter', httpError(400, 'BadParameter'), 'bad-request'],
    ['ECONNREFUSED', networkError('ECONNREFUSED'), 'unavailable'],
    ['ENOTFOUND', networkError('ENOTFOUND'), 'unavailable'],
    ['EAI_AGAIN', networkError('EAI_AGAIN'), 'unavailable'],
    ['ECONNRESET', networkError('ECONNRESET'), 'unavailable'],
    ['socket hang up', networkError('REQUEST_SEND_ERROR', 'socket hang up'), 'unavailable'],
    ['call timeout', new CallTimeoutError(30_000), 'timeout'],
    ['run abort', createAbortError(), 'aborted'],
    ['credential', Object.assign(new Error('ClientSecretCredential authentication failed'), { name: 'AuthenticationError' }), 'unauthorized'],
    ['TLS', Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), 'unavailable'],
    ['unknown', new TypeError('boom'), 'internal'],
  ];

  for (const [label, error, expected] of table) {
    it(`maps ${label} to ${expected}`, () => {
      const classified = classifyError(error, context);
      assert.equal(classified.code, expected);
      assert.equal(classified.vaultUrl, vaultUrl);
      assert.equal(classified.secretName, 'db-password');
      assert.ok(classified.message.includes(vaultUrl), classified.message);
    });
  }

  it('keeps the service codes and request id', () => {
    const classified = classifyError(httpError(403, 'Forbidden', 'SecretDisabled'), context);
    assert.equal(classified.statusCode, 403);
    assert.equal(classified.serviceCode, 'Forbidden/SecretDisabled');
    assert.equal(classified.requestId, 'req-123');
  });

  it('names the firewall client address', () => {
    const message = 'Client address is not authorized and caller is not a trusted service.\r\nClient address: 203.0.113.7\r\nCaller: appid=x';
    const classified = classifyError(httpError(403, 'Forbidden', 'ForbiddenByFirewall', message), context);
    assert.match(classified.message, /203\.0\.113\.7/);
    assert.match(classified.message, /network rules/);
  });

  it('names the role for reads and writes', () => {
    const read = classifyError(httpError(403, 'Forbidden', 'ForbiddenByRbac'), context);
    assert.match(read.message, /"Key Vault Secrets User"/);
    const write = classifyError(httpError(403, 'Forbidden', 'ForbiddenByRbac'), { ...context, operation: 'setSecret' });
    assert.match(write.message, /"Key Vault Secrets Officer"/);
  });

  it('names the reason of a connection failure', () => {
    assert.match(classifyError(networkError('ECONNREFUSED'), context).message, /connection refused/);
    assert.match(classifyError(networkError('ENOTFOUND'), context).message, /does not resolve/);
  });

  it('passes engine errors through', () => {
    const first = classifyError(httpError(404, 'SecretNotFound'), context);
    assert.equal(classifyError(first, { ...context, operation: 'setSecret' }), first);
  });

  it('never copies a body value into the message', () => {
    const error = httpError(400, 'BadParameter', undefined, `value ${SECRET_VALUE} is invalid`);
    const classified = classifyError(error, context);
    assert.ok(!classified.message.includes(SECRET_VALUE), classified.message);
  });
});

describe('classifyResponse', () => {
  it('reads codes from either position', () => {
    assert.equal(classifyResponse(403, { statusCode: 403, code: 'SecretDisabled' }).code, 'disabled');
    assert.equal(classifyResponse(409, { statusCode: 409, code: 'ObjectIsBeingDeleted' }).code, 'being-deleted');
  });

  it('marks purge protection and certificate denials', () => {
    const purge = classifyResponse(403, { statusCode: 403, code: 'Forbidden', innerCode: 'ForbiddenByPolicy', message: 'because purge protection is enabled' });
    assert.equal(purge.policyReason, 'purge-protection');
    const managed = classifyResponse(403, { statusCode: 403, code: 'Forbidden', innerCode: 'ForbiddenByPolicy', message: 'it backs a certificate' });
    assert.equal(managed.policyReason, 'managed');
  });
});

describe('clientAddressOf', () => {
  it('reads IPv4 and IPv6 addresses', () => {
    assert.equal(clientAddressOf('Client address: 198.51.100.4\r\nCaller: x'), '198.51.100.4');
    assert.equal(clientAddressOf('Client address: 2001:db8::1\nCaller'), '2001:db8::1');
    assert.equal(clientAddressOf('no address here'), undefined);
  });
});
