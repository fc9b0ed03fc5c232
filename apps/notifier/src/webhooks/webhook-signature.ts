import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** A new signing secret: `whsec_` + base64 of 24 random bytes (the key is the decoded part). */
export function generateSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/**
 * Standard Webhooks v1 headers for one attempt: `webhook-signature` is `v1,` + base64
 * HMAC-SHA256 over `{id}.{timestamp}.{body}` with the base64-decoded secret.
 */
export function signedHeaders(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string,
): Record<string, string> {
  const signature = new Webhook(secret).sign(id, new Date(timestampSeconds * 1_000), body);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': signature,
  };
}
