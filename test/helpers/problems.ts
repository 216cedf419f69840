// Checks a resource-API answer is the RFC 9457 problem of a given kind and status.
import assert from 'node:assert/strict';
import type { TestApp } from './build-app.ts';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  errors?: { field: string; message: string }[];
}

export function assertProblem(
  response: Awaited<ReturnType<TestApp['inject']>>,
  status: number,
  kind: string,
): Problem {
  assert.equal(response.statusCode, status, response.body);
  assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
  const problem = response.json<Problem>();
  assert.equal(problem.type, `urn:customer-orders:problem:${kind}`);
  assert.equal(problem.status, status);
  assert.ok(problem.title.length > 0 && problem.detail.length > 0, response.body);
  return problem;
}
