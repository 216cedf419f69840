// Test data made through the HTTP API, each piece unique, so tests never depend on
// each other's rows.
import assert from 'node:assert/strict';
import type { TestApp } from './build-app.ts';

let phoneCounter = 0;

/** A valid, unique Kenyan mobile number in E.164 (+25470…, Safaricom's range). */
export function uniquePhoneNumber(): string {
  phoneCounter += 1;
  const serial = (process.pid * 1000 + phoneCounter) % 10_000_000;
  return `+25470${String(serial).padStart(7, '0')}`;
}

export interface LegacyCustomer {
  id: string;
  name: string;
  phone_number: string;
}

export async function addCustomer(
  app: TestApp,
  auth: { authorization: string },
  overrides: Partial<{ name: string; phone_number: string }> = {},
): Promise<LegacyCustomer> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/add-customer/',
    headers: auth,
    payload: {
      name: `Customer ${phoneCounter + 1}`,
      phone_number: uniquePhoneNumber(),
      ...overrides,
    },
  });
  assert.equal(response.statusCode, 201, response.body);
  return response.json<LegacyCustomer>();
}

export interface LegacyOrder {
  id: string;
  item: string;
  amount: string;
  created_at: string;
  customer: LegacyCustomer;
}

export async function addOrder(
  app: TestApp,
  auth: { authorization: string },
  customerId: string,
  overrides: Partial<{ item: string; amount: string | number }> = {},
): Promise<LegacyOrder> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/add-order/',
    headers: auth,
    payload: { customer_id: customerId, item: 'borns', amount: '500.00', ...overrides },
  });
  assert.equal(response.statusCode, 201, response.body);
  return response.json<LegacyOrder>();
}
