// How the original app rendered customers and orders.
import type { Customer, PreciseOrderRow } from '../../customers/customers.service.ts';
import type { Order } from '../../orders/orders.service.ts';

export function legacyCustomer(customer: Customer) {
  return { id: customer.id, name: customer.name, phone_number: customer.phoneNumber };
}

export function legacyOrder(order: Order) {
  return {
    id: order.id,
    item: order.item,
    amount: order.amount,
    created_at: djangoDateTime(order.createdAt),
    customer: legacyCustomer(order.customer),
  };
}

/**
 * Orders inside view-customer came from a Django `.values()` query: a raw datetime
 * (ISO 8601) and a Decimal that DRF's encoder wrote as a JSON number. JSON.rawJSON
 * writes the stored decimal text as that number without passing through a float.
 */
export function legacyCustomerOrder(order: PreciseOrderRow) {
  return {
    created_at: pythonIsoFormat(order.createdAt, order.createdAtMicroseconds),
    item: order.item,
    amount: JSON.rawJSON(order.amount),
  };
}

/**
 * Python's datetime.isoformat() in UTC, as DRF wrote it with `+00:00` made `Z`:
 * microseconds when the time has any (`…44.960000Z`), none otherwise (`…44Z`).
 */
function pythonIsoFormat(date: Date, microseconds: number): string {
  const seconds = date.toISOString().slice(0, 19);
  return microseconds === 0
    ? `${seconds}Z`
    : `${seconds}.${String(microseconds).padStart(6, '0')}Z`;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** The original serializer's `%B %d, %Y, %I:%M %p`, in UTC: "June 25, 2024, 05:54 PM". */
export function djangoDateTime(date: Date): string {
  const hours = date.getUTCHours();
  const twelveHour = String(hours % 12 === 0 ? 12 : hours % 12).padStart(2, '0');
  const minutes = String(date.getUTCMinutes()).padStart(2, '0');
  const month = MONTHS[date.getUTCMonth()] ?? '';
  const day = String(date.getUTCDate()).padStart(2, '0');
  return `${month} ${day}, ${date.getUTCFullYear()}, ${twelveHour}:${minutes} ${hours < 12 ? 'AM' : 'PM'}`;
}
