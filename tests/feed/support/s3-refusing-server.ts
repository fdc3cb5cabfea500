import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The S3 error codes the refusing server answers with, by the bucket asked for (path-style URLs). */
export const S3_REFUSALS = {
  'wrong-secret': { code: 'SignatureDoesNotMatch', status: 403 },
  'unknown-key': { code: 'InvalidAccessKeyId', status: 403 },
  'no-permission': { code: 'AccessDenied', status: 403 },
  'no-such-bucket': { code: 'NoSuchBucket', status: 404 },
} as const;

/** A bucket the server refuses with a bare 403 and no body, as S3 answers a HEAD request. */
export const BARE_403_BUCKET = 'bare-refusal';

export interface RefusingS3Server {
  endpoint: string;
  close(): Promise<void>;
}

/**
 * An S3 endpoint on 127.0.0.1 that refuses every request as S3 does, with an XML error body. Like S3,
 * it quotes the access key id it was given (taken from the signature), in the body and the message,
 * so that a test can tell the module never passes it on.
 */
export async function startRefusingS3Server(): Promise<RefusingS3Server> {
  const server = createServer((request, response) => {
    const bucket = (request.url ?? '/').split('/')[1]?.split('?')[0] ?? '';
    if (bucket === BARE_403_BUCKET) {
      response.writeHead(403, { 'x-amz-request-id': 'R3FU5ED' });
      response.end();
      return;
    }
    const refusal = S3_REFUSALS[bucket as keyof typeof S3_REFUSALS] ?? S3_REFUSALS['no-permission'];
    const keyId = /Credential=([^/,\s]+)/.exec(String(request.headers.authorization ?? ''))?.[1] ?? '';
    response.writeHead(refusal.status, { 'content-type': 'application/xml', 'x-amz-request-id': 'R3FU5ED' });
    response.end(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${refusal.code}</Code><Message>Refused for access key ${keyId}</Message>` +
        `<AWSAccessKeyId>${keyId}</AWSAccessKeyId><BucketName>${bucket}</BucketName><RequestId>R3FU5ED</RequestId></Error>`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
