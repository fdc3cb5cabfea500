import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { processSecrets } from '@sekoia/automation-sdk-shim';
import { agentsFor, type AgentSet } from '../http/http-agents.js';
import { safeExcerpt } from '../http/safe-text.js';
import { classifyTransportError } from '../http/transport-failure.js';
import type { FeedLocation } from './feed-location.js';
import type { FetchFailure, FetchOutcome, FeedTransport } from './feed-transport.js';
import { s3Refusal } from './s3-refusal.js';

/** Where and as whom an S3 feed is read. Without keys, the AWS SDK's usual chain applies (environment, profile, instance role). */
export interface S3Settings {
  /** An S3-compatible endpoint (MinIO, Ceph, another cloud's S3 API); AWS itself when unset. */
  endpoint?: string | undefined;
  region?: string | undefined;
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
}

export interface S3TransportOptions {
  location: Extract<FeedLocation, { kind: 's3' }>;
  settings: S3Settings;
  verifySsl: boolean;
  httpProxy?: string | undefined;
  httpsProxy?: string | undefined;
  timeouts: { connectMs: number; responseMs: number };
  maxAttempts: number;
}

/** AWS's default region, used by S3-compatible servers that ignore the region. */
export const DEFAULT_S3_REGION = 'us-east-1';
const MISSING = new Set(['NoSuchKey', 'NoSuchBucket', 'NotFound']);
const DENIED = new Set(['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'Forbidden', 'CredentialsProviderError', 'ExpiredToken']);

/**
 * Reads feed files from an S3 bucket with the official AWS SDK v3 client: the object key is the
 * prefix and the file name; `If-None-Match` with the object's ETag (and `If-Modified-Since`) makes
 * an unchanged object cost a 304 and no download, as over HTTP. The SDK's own retries (network
 * failures, throttling, 5xx) are bounded by `maxAttempts`. The keys never appear in a message.
 */
export class S3FeedTransport implements FeedTransport {
  /** The AWS SDK is loaded on first use: a trigger that reads no bucket never pays its start-up time and memory. */
  private sdk: Promise<{ client: S3Client; module: typeof import('@aws-sdk/client-s3') }> | undefined;
  private client: S3Client | undefined;
  private closed = false;
  private readonly config: S3ClientConfig;
  private readonly agents: AgentSet;

  constructor(private readonly options: S3TransportOptions) {
    const { settings } = options;
    processSecrets.addSecret(settings.accessKeyId);
    processSecrets.addSecret(settings.secretAccessKey);
    const endpoint = settings.endpoint?.trim() || undefined;
    this.agents = agentsFor(endpoint ?? 'https://s3.amazonaws.com', { httpProxy: options.httpProxy, httpsProxy: options.httpsProxy, verifySsl: options.verifySsl });
    const keys = settings.accessKeyId && settings.secretAccessKey ? { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey } : undefined;
    this.config = {
      region: settings.region?.trim() || DEFAULT_S3_REGION,
      // A custom endpoint is addressed by path (https://host/bucket/key): most S3-compatible servers want it.
      ...(endpoint === undefined ? {} : { endpoint, forcePathStyle: true }),
      ...(keys === undefined ? {} : { credentials: keys }),
      maxAttempts: options.maxAttempts,
      requestHandler: { httpAgent: this.agents.http, httpsAgent: this.agents.https, connectionTimeout: options.timeouts.connectMs, requestTimeout: options.timeouts.responseMs },
    };
  }

  async get(file: string, etag: string | undefined, signal: AbortSignal, lastModified?: string): Promise<FetchOutcome> {
    signal.throwIfAborted();
    const { bucket, prefix } = this.options.location;
    const key = file === '' ? prefix : prefix === '' ? file : `${prefix}/${file}`;
    const since = lastModified === undefined ? undefined : new Date(lastModified);
    const { client, module } = await this.loaded();
    const { GetObjectCommand, S3ServiceException } = module;
    try {
      const answer = await client.send(
        new GetObjectCommand({
          Bucket: bucket,
          Key: key,
          ...(etag === undefined ? {} : { IfNoneMatch: etag }),
          ...(since === undefined || Number.isNaN(since.getTime()) ? {} : { IfModifiedSince: since }),
        }),
        { abortSignal: signal },
      );
      const body = answer.Body === undefined ? Buffer.alloc(0) : Buffer.from(await answer.Body.transformToByteArray());
      return {
        status: 'ok',
        body,
        etag: answer.ETag || undefined,
        lastModified: answer.LastModified?.toUTCString(),
        contentType: answer.ContentType ?? '',
      };
    } catch (error) {
      signal.throwIfAborted();
      if (statusOf(error) === 304) return { status: 'not-modified' };
      return { status: 'failed', failure: this.failure(error, error instanceof S3ServiceException) };
    }
  }

  close(): void {
    this.closed = true;
    this.client?.destroy();
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private loaded(): Promise<{ client: S3Client; module: typeof import('@aws-sdk/client-s3') }> {
    this.sdk ??= import('@aws-sdk/client-s3').then((module) => {
      this.client = new module.S3Client(this.config);
      // Closed while the SDK was loading: the connections it would keep are not wanted.
      if (this.closed) this.client.destroy();
      return { client: this.client, module };
    });
    return this.sdk;
  }

  private failure(error: unknown, fromService: boolean): FetchFailure {
    const status = statusOf(error);
    const attempts = (error as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1;
    const name = (error as Error).name ?? 'Error';
    const keysInAccount = Boolean(this.options.settings.accessKeyId && this.options.settings.secretAccessKey);
    const s3 = s3Refusal(name, { keysInAccount }, status);
    if (fromService || status !== undefined) {
      const kind = s3?.kind ?? (status === 404 || MISSING.has(name) ? 'missing' : status === 401 || status === 403 || DENIED.has(name) ? 'denied' : 'other');
      const code = status === undefined ? name : `HTTP ${status}`;
      return { kind, code, description: `S3 ${name}: ${safeExcerpt((error as Error).message ?? '', 120)}`, status, tls: false, attempts, s3 };
    }
    if (DENIED.has(name)) return { kind: 'denied', code: name, description: 'no S3 credentials: set the account keys or the AWS environment variables', tls: false, attempts, s3 };
    const classified = classifyTransportError(error, this.options.timeouts);
    const description = classified.detail === undefined ? classified.description : `${classified.description}: ${safeExcerpt(classified.detail)}`;
    return { kind: 'other', code: classified.code, description, tls: classified.kind === 'tls', attempts };
  }
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}
