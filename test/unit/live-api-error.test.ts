// apiError keeps what a person needs from a failed client-node call: a Status body's message, else the cause from
// client-node's ApiException text, never its dump of response headers.
import { ApiException } from '@kubernetes/client-node';
import { describe, expect, test } from 'vitest';
import { apiError } from '../../src/cluster/live/objects.ts';

describe('apiError', () => {
  test('a 401 without a Status body (the kubelet refusing the API server, passed through pods/log): "Unauthorized", no headers', () => {
    // What client-node 2.0.1 throws for it (dist/gen/apis/exception.js builds the message).
    const thrown = new ApiException(401, 'Unauthorized', undefined, { 'audit-id': 'a1b2', date: 'Mon, 30 Nov 2026 10:40:00 GMT' });
    const e = apiError('get pods/log nodegate-x/web', thrown);
    expect(e.status).toBe(401);
    expect(e.message).toMatch(/Unauthorized/);
    expect(e.message).not.toMatch(/audit-id|Headers|Body:/);
  });

  test('a Status body wins: its message names the cause', () => {
    const body = { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'pods "web" is forbidden: User "x" cannot get resource "pods/log"', reason: 'Forbidden', code: 403 };
    const e = apiError('get pods/log nodegate-x/web', new ApiException(403, 'Forbidden', body, {}));
    expect(e.status).toBe(403);
    expect(e.message).toContain('cannot get resource "pods/log"');
  });
});
