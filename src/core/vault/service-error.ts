/**
 * Key Vault's error body, read once in the pipeline. The SDK's `RestError` keeps `error.code` and
 * `error.message` but drops `error.innererror.code`, which is where Key Vault puts
 * `SecretDisabled`, `ForbiddenByRbac` or `ObjectIsBeingDeleted`. So the retry policy reads the raw
 * body and files the details under the request object, which the `RestError` carries too.
 */
import type { PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline';

/** The details of an error response. The message is used for classification, never logged. */
export interface ServiceError {
  statusCode: number;
  /** `error.code`, such as `Forbidden` or `Conflict`. */
  code?: string;
  /** `error.innererror.code`, such as `SecretDisabled` or `ObjectIsDeletedButRecoverable`. */
  innerCode?: string;
  /** `error.message`, cut to 2,000 characters. */
  message?: string;
  /** The `x-ms-request-id` header, which Key Vault's support needs to trace a call. */
  requestId?: string;
}

const MAX_MESSAGE_LENGTH = 2000;
const errorsByRequest = new WeakMap<object, ServiceError>();

/** Reads the status, the codes, the message and the request id of an error response. */
export function readServiceError(response: PipelineResponse): ServiceError {
  const result: ServiceError = { statusCode: response.status };
  const requestId = response.headers.get('x-ms-request-id');
  if (requestId !== undefined) result.requestId = requestId;

  const body = parseJson(response.bodyAsText);
  const error = isObject(body) && isObject(body.error) ? body.error : undefined;
  if (error === undefined) return result;
  if (typeof error.code === 'string') result.code = error.code;
  if (typeof error.message === 'string') result.message = error.message.slice(0, MAX_MESSAGE_LENGTH);
  if (isObject(error.innererror) && typeof error.innererror.code === 'string') result.innerCode = error.innererror.code;
  return result;
}

/** Returns the codes of a service error, outer first, for matching against known codes. */
export function serviceCodes(error: ServiceError | undefined): string[] {
  return [error?.code, error?.innerCode].filter((code): code is string => code !== undefined);
}

/** Files `error` under `request`, replacing what an earlier attempt filed. */
export function rememberServiceError(request: PipelineRequest, error: ServiceError): void {
  errorsByRequest.set(request, error);
}

/** Returns what was filed under `request`, if anything. */
export function recallServiceError(request: unknown): ServiceError | undefined {
  return typeof request === 'object' && request !== null ? errorsByRequest.get(request) : undefined;
}

function parseJson(text: string | null | undefined): unknown {
  if (text === undefined || text === null || text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
